"""The training panel's status lines: where the run is (step, epoch, loss, accuracy, speed, time
left) and the last problem (an exception, or a NaN loss with the offer to step its backward)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def report_text(r: Any) -> str:
    parts = [
        f"step {r.step:,}/{r.total_steps:,}",
        f"epoch {r.epoch + 1}/{max(1, r.total_steps // max(1, r.batches_per_epoch))}",
        f"loss {r.loss:.4g}",
    ]
    if r.val_loss is not None:
        parts.append(f"val loss {r.val_loss:.4g}")
    if r.val_accuracy is not None:
        parts.append(f"val acc {100 * r.val_accuracy:.1f}%")
    parts.append(f"{r.examples_per_s:,.0f} ex/s")
    if 0 < r.progress < 1 and r.elapsed > 0:
        parts.append(f"{duration(r.elapsed * (1 - r.progress) / r.progress)} left")
    return " · ".join(parts)


class StatusLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingStatus")
        self.state_label = QLabel("idle", objectName="trainState")
        self.state_label.setMinimumWidth(64)
        self.text = QLabel(objectName="trainStatusText")
        self.text.setWordWrap(True)
        self.message = QLabel(objectName="trainMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.graphButton = QPushButton(
            "Step through this batch's backward…", objectName="trainNanGraph"
        )
        self.graphButton.hide()
        self.restore_box = QWidget(objectName="trainRestoreBox")
        self.restore_text = QLabel(objectName="trainRestoreText")
        self.restore_text.setWordWrap(True)
        self.restore_button = QPushButton("Restore", objectName="trainRestore")
        self.discard_button = QPushButton("Discard", objectName="trainDiscard")
        row = QHBoxLayout(self.restore_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.restore_text, 1)
        row.addWidget(self.restore_button)
        row.addWidget(self.discard_button)
        self.restore_box.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.state_label)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.addWidget(self.restore_box)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.graphButton)
        self.last: Any = None
        self.info: Any = None

    def show_run(self, info: Any) -> None:
        self.info, self.last = info, None
        cfg = info.config
        self.text.setText(
            f"{cfg.dataset}: {len(info.x_train):,} train / {len(info.x_val):,} validation · "
            f"{info.parameter_count:,} parameters · {info.total_steps:,} steps on "
            f"{info.device.upper()}"
        )

    def show_report(self, r: Any) -> str:
        self.last = r
        text = report_text(r)
        self.text.setText(text)
        return text

    def show_state(self, state: str) -> None:
        colours = {
            "running": "#1f9d55",
            "paused": "#b07d00",
            "failed": "#d6332f",
            "stopped": "#6f737a",
            "finished": "#2f6fd6",
        }
        colour = colours.get(state, "#6f737a")
        self.state_label.setText(f"<b style='color:{colour}'>{state}</b>")

    def show_message(self, text: str, error: bool = False, offer_graph: bool = False) -> None:
        colour = "#d6332f" if error else "#6f737a"
        self.message.setStyleSheet(f"color: {colour}")
        self.message.setText(text)
        self.message.show()
        self.graphButton.setVisible(offer_graph)

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()
        self.graphButton.hide()

    def offer_restore(self, text: str, restore: Any, discard: Any) -> None:
        """A banner with Restore / Discard for an autosaved session."""
        self.restore_text.setText(text)
        self.restore_box.show()
        first = getattr(self, "_restore_choices", None) is None
        self._restore_choices = (restore, discard)  # the latest offer's actions
        if first:  # wired once: disconnecting an unconnected signal warns in PySide6
            self.restore_button.clicked.connect(lambda _c=False: self._choose_restore(0))
            self.discard_button.clicked.connect(lambda _c=False: self._choose_restore(1))

    def _choose_restore(self, which: int) -> None:
        self.restore_box.hide()
        self._restore_choices[which]()

    def summary(self) -> str:
        return self.text.text()
