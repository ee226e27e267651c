"""Entry file of the logged encoder model ("models from code").

MLflow copies this file into the model folder and runs it when the model is
loaded; it names the model class by import, so nothing is pickled and loading
needs tscl, which the model carries as code (``code/tscl``).
"""

from __future__ import annotations

from mlflow.models import set_model

from tscl.track.model import EncoderModel

set_model(EncoderModel())
