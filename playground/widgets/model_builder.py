"""The model builder: hidden layers as rows (Linear width, activation, dropout, batch norm), the
LeNet template for images, and the parameter count and layer plan of the resulting network.

It edits a `core.training.spec.ModelSpec` (as its dict form); the output layer is always added by
core to fit the task, so the rows are the hidden layers only and no rows means a linear model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from core.training.spec import ModelSpec

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu", "softplus", "none")
TEMPLATES = {
    "mlp": "Layers (MLP; none = linear model)",
    "lenet": "LeNet (images)",
    "custom": "Custom (from a script)",
}
MAX_ROWS = 8


def blocks_to_layers(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows {width, activation, dropout, batch_norm} -> ModelSpec layer dicts."""
    layers: list[dict[str, Any]] = []
    for b in blocks:
        layers.append({"type": "linear", "out": int(b["width"])})
        if b.get("batch_norm"):
            layers.append({"type": "batchnorm"})
        if b.get("activation", "none") != "none":
            layers.append({"type": "activation", "name": b["activation"]})
        if b.get("dropout", 0.0) > 0:
            layers.append({"type": "dropout", "p": float(b["dropout"])})
    return layers


def layers_to_blocks(layers: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The inverse of `blocks_to_layers`, or None when the layers are not rows of that shape."""
    blocks: list[dict[str, Any]] = []
    for layer in layers:
        kind = layer.get("type")
        if kind == "linear":
            blocks.append(
                {"width": layer["out"], "activation": "none", "dropout": 0.0, "batch_norm": False}
            )
        elif not blocks or kind not in ("activation", "dropout", "batchnorm"):
            return None
        elif kind == "activation":
            blocks[-1]["activation"] = layer.get("name", "relu")
        elif kind == "dropout":
            blocks[-1]["dropout"] = float(layer.get("p", 0.5))
        else:
            blocks[-1]["batch_norm"] = True
    return blocks


class ModelBuilder(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelBuilder")
        self.input_shape: tuple[int, ...] = (2,)
        self.outputs = 2
        self._custom: dict[str, Any] | None = None
        self._quiet = False
        self.template = QComboBox(objectName="modelTemplate")
        for key, title in TEMPLATES.items():
            self.template.addItem(title, key)
        self.template.currentIndexChanged.connect(self._template_changed)
        self.table = QTableWidget(0, 4, objectName="modelLayers")
        self.table.setHorizontalHeaderLabels(["Width", "Activation", "Dropout", "BatchNorm"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(60)
        self.add_button = QPushButton("+ Layer", objectName="modelAddLayer")
        self.remove_button = QPushButton("− Layer", objectName="modelRemoveLayer")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_row)
        self.count = QLabel(objectName="modelParamCount")
        self.plan = QListWidget(objectName="modelPlan")
        self.plan.setMaximumHeight(96)
        self.plan.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.plan.setToolTip("The network core builds: layer names as in its state_dict()")
        top = QHBoxLayout()
        top.addWidget(self.template, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        layout.addWidget(self.plan)

    # ---- rows -------------------------------------------------------------------------------
    def add_row(
        self,
        width: int = 16,
        activation: str = "relu",
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> None:
        if self.table.rowCount() >= MAX_ROWS:
            return
        r = self.table.rowCount()
        self.table.insertRow(r)
        w = QSpinBox(objectName=f"layerWidth_{r}", minimum=1, maximum=4096, value=int(width))
        a = QComboBox(objectName=f"layerActivation_{r}")
        a.addItems(ACTIVATIONS)
        a.setCurrentText(activation if activation in ACTIVATIONS else "relu")
        d = QDoubleSpinBox(
            objectName=f"layerDropout_{r}",
            minimum=0.0,
            maximum=0.9,
            singleStep=0.05,
            decimals=2,
            value=float(dropout),
        )
        b = QCheckBox(objectName=f"layerBatchNorm_{r}")
        b.setChecked(bool(batch_norm))
        for col, widget in enumerate((w, a, d, b)):
            self.table.setCellWidget(r, col, widget)
        w.valueChanged.connect(self._edited)
        a.currentTextChanged.connect(self._edited)
        d.valueChanged.connect(self._edited)
        b.toggled.connect(self._edited)
        self._edited()

    def remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}) or [
            self.table.rowCount() - 1
        ]
        for r in reversed(rows):
            if r >= 0:
                self.table.removeRow(r)
        self._rename_rows()
        self._edited()

    def _rename_rows(self) -> None:
        for r in range(self.table.rowCount()):
            for col, prefix in enumerate(("Width", "Activation", "Dropout", "BatchNorm")):
                self.table.cellWidget(r, col).setObjectName(f"layer{prefix}_{r}")

    def blocks(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.table.rowCount()):
            w, a, d, b = (self.table.cellWidget(r, c) for c in range(4))
            out.append(
                {
                    "width": w.value(),
                    "activation": a.currentText(),
                    "dropout": d.value(),
                    "batch_norm": b.isChecked(),
                }
            )
        return out

    # ---- the spec ---------------------------------------------------------------------------
    def spec_dict(self) -> dict[str, Any]:
        """The model as ModelSpec.to_dict() form ({"layers": [...]} or the LeNet template)."""
        key = self.template.currentData()
        if key == "lenet":
            return ModelSpec.lenet().to_dict()
        if key == "custom" and self._custom is not None:
            return dict(self._custom)
        return {"layers": blocks_to_layers(self.blocks())}

    def spec(self) -> ModelSpec:
        return ModelSpec.from_dict(self.spec_dict())

    def set_spec(self, spec: Any) -> None:
        """Show `spec` (a ModelSpec, its dict or its short string) in the builder."""
        spec = ModelSpec.coerce(spec)
        d = spec.to_dict()
        blocks = None if spec.template else layers_to_blocks(d.get("layers", []))
        self._quiet = True
        try:
            self.table.setRowCount(0)
            if spec.template == "lenet":
                self._set_template("lenet")
            elif blocks is None:
                self._custom = d
                self._set_template("custom")
            else:
                self._set_template("mlp")
                for b in blocks:
                    self.add_row(**b)
        finally:
            self._quiet = False
        self._edited()

    def set_io(self, input_shape: tuple[int, ...], outputs: int) -> None:
        """The task's input shape and output width, for the count and the plan."""
        self.input_shape, self.outputs = tuple(input_shape), int(outputs)
        self.template.model().item(1).setEnabled(len(self.input_shape) == 3)
        self._refresh_summary()

    def _set_template(self, key: str) -> None:
        self.template.blockSignals(True)
        self.template.setCurrentIndex(self.template.findData(key))
        self.template.blockSignals(False)
        self._sync_enabled()

    def _template_changed(self) -> None:
        if self.template.currentData() == "mlp" and self.table.rowCount() == 0:
            self._quiet = True
            self.add_row(32)
            self.add_row(32)
            self._quiet = False
        self._sync_enabled()
        self._edited()

    def _sync_enabled(self) -> None:
        editable = self.template.currentData() == "mlp"
        for w in (self.table, self.add_button, self.remove_button):
            w.setEnabled(editable)

    def _fit_table(self) -> None:
        rows = max(self.table.rowCount(), 1)
        height = self.table.horizontalHeader().height() + rows * 26 + 6
        self.table.setMaximumHeight(height)

    def _edited(self, *_: Any) -> None:
        self._fit_table()
        if self._quiet:
            return
        self._refresh_summary()
        self.changed.emit()

    def _refresh_summary(self) -> None:
        self.plan.clear()
        try:
            spec = self.spec()
            count = spec.parameter_count(self.input_shape, self.outputs)
            plan = spec.layer_names(self.input_shape, self.outputs)
        except Exception as exc:  # a spec that cannot fit this input says why, in place
            self.count.setText(f"<span style='color:#d6332f'>{exc}</span>")
            return
        layers = f"{len(plan)} layer{'s' if len(plan) != 1 else ''}"
        self.count.setText(f"<b>{count:,}</b> parameters · {layers}")
        for name, desc, shape in plan:
            self.plan.addItem(f"{name:<8}{desc:<28} → {tuple(shape)}")

    def parameter_count(self) -> int:
        return self.spec().parameter_count(self.input_shape, self.outputs)
