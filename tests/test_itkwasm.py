"""ITK-Wasm through wasmc: the `itkwasm` package, unmodified, runs the
`itkwasm-downsample-wasi` pipeline (a 6 MB C++ WASI module that uses SIMD) on a small
synthetic image, once with wasmtime-py and once with `import wasmtime` giving
`wasmc.wasmtime`; the output images must be identical (issue 12). See
docs/wasmtime-compat.md, "Tested with itkwasm"."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Runs in a fresh interpreter so that itkwasm imports the chosen `wasmtime` (itkwasm.pipeline
# imports it at import time, and itkwasm_downsample_wasi keeps its compiled pipeline in a
# global). Prints the output image as JSON: float32 pixels are exact in JSON (repr round-trips).
DOWNSAMPLE = """
import json, sys
if sys.argv[1] == "wasmc":
    import wasmc.wasmtime
    sys.modules["wasmtime"] = wasmc.wasmtime
import numpy as np
from itkwasm import image_from_array
from itkwasm_downsample_wasi import downsample

y, x = np.mgrid[0:32, 0:24]
pixels = ((x * 7 + y * 13) % 251 + np.sin(x * 0.3)).astype(np.float32)
image = image_from_array(pixels)
image.spacing = [0.5, 2.0]
image.origin = [1.0, -3.0]
out = downsample(image, shrink_factors=[2, 3])
print(json.dumps({
    "size": list(out.size), "spacing": list(out.spacing), "origin": list(out.origin),
    "direction": np.asarray(out.direction).tolist(), "pixel_type": str(out.data.dtype),
    "shape": list(out.data.shape), "pixels": out.data.ravel().tolist()}))
"""


def downsample(engine: str, tmp_path) -> dict:
    env = dict(os.environ, ITKWASM_CACHE_DIR=str(tmp_path / f"itkwasm-cache-{engine}"),
               WASMC_OPT="0")  # itkwasm asks for "speed"; -O0 keeps the build short
    run = subprocess.run([sys.executable, "-c", DOWNSAMPLE, engine], env=env,
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_downsample_same_image_as_wasmtime(tmp_path):
    """With a cold wasmc cache nearly all of the time is the -O0 build of the 6 MB module
    (docs/wasmtime-compat.md has the numbers); warm, a few seconds."""
    real = downsample("wasmtime", tmp_path)
    wasmc = downsample("wasmc", tmp_path)
    # The real run did downsample: 24 x 32 pixels shrunk by 2 x 3, spacing scaled to match.
    assert real["size"] == [12, 10] and real["shape"] == [10, 12]
    assert real["spacing"] == [1.0, 6.0] and real["pixel_type"] == "float32"
    assert len(set(real["pixels"])) > 50  # a smoothed image, not a constant
    assert wasmc == real
