# `make train` trains a network on the bundled MNIST; `make test` runs the tests.
# Both set themselves up on a fresh machine: training needs nothing but
# Python; the tests make their own virtual environment with pytest and
# hypothesis, and numpy as the oracle of the export tests, one per interpreter (make test PYTHON=pypy3 for PyPy).
# `make bench` times training under both interpreters beside the numpy yardsticks.

PYTHON ?= python3
VENV ?= .venv-$(notdir $(PYTHON))
# PyPy runs the same loops about twenty times faster, so training uses it when it is there.
TRAIN_PYTHON ?= $(shell command -v pypy3 || command -v $(PYTHON))
ARGS ?=
BENCH_BATCH ?= 32
BENCH_SAMPLES ?= 4096
BENCH_LAYERS ?= conv8x5,maxpool2,dense100
BENCH_CONV_SAMPLES ?= 1000

.PHONY: train test bench clean

train:
	@case "$(TRAIN_PYTHON)" in \
	  *pypy*) echo "make train: nnloop train under PyPy ($(TRAIN_PYTHON))";; \
	  *) echo "make train: nnloop train under $(TRAIN_PYTHON); install pypy3 to train about 20x faster";; \
	esac
	@$(TRAIN_PYTHON) -m nnloop train $(ARGS) || { status=$$?; [ $$status -ne 2 ] || \
	  echo "make train: give nnloop's options through ARGS, e.g. make train ARGS=--force"; exit $$status; }

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

$(VENV)/.installed: pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,oracle]'
	touch $@

# One session, so the ratios compare like with like: numpy, nnloop under
# PyPy and under CPython, each on the same digits and batch size; then
# nnloop under PyPy against each numpy yardstick, as a ratio.
bench:
	@out=$$(mktemp -d); \
	if $(PYTHON) -c 'import numpy' 2>/dev/null; then \
	  echo "make bench: the numpy yardstick (tests/yardstick/numpy_mlp.py) under $(PYTHON)"; \
	  $(PYTHON) tests/yardstick/numpy_mlp.py --style sample --batch $(BENCH_BATCH) --n $(BENCH_SAMPLES) | tee $$out/numpy_mlp; \
	else echo "make bench: numpy is not installed for $(PYTHON) (pip install numpy): no yardstick to compare with"; fi; \
	if command -v pypy3 >/dev/null; then \
	  pypy3 -m nnloop bench --batch-size $(BENCH_BATCH) --samples $(BENCH_SAMPLES) --json | tee $$out/pypy_mlp; \
	else echo "make bench: pypy3 is not installed: no PyPy numbers"; fi; \
	$(PYTHON) -m nnloop bench --batch-size $(BENCH_BATCH) --samples $(BENCH_SAMPLES); \
	if $(PYTHON) -c 'import numpy' 2>/dev/null; then \
	  echo "make bench: the convnet's numpy yardstick (tests/yardstick/numpy_conv.py, im2col) under $(PYTHON)"; \
	  $(PYTHON) tests/yardstick/numpy_conv.py --batch $(BENCH_BATCH) --n $(BENCH_CONV_SAMPLES) | tee $$out/numpy_conv; fi; \
	if command -v pypy3 >/dev/null; then \
	  pypy3 -m nnloop bench --layers $(BENCH_LAYERS) --batch-size $(BENCH_BATCH) --samples $(BENCH_CONV_SAMPLES) --json \
	    | tee $$out/pypy_conv; fi; \
	if [ -s $$out/pypy_mlp ] && [ -s $$out/numpy_mlp ]; then \
	  $(PYTHON) tests/yardstick/ratio.py $$out/pypy_mlp $$out/numpy_mlp "MLP 784-100-10, nnloop under PyPy / numpy"; fi; \
	if [ -s $$out/pypy_conv ] && [ -s $$out/numpy_conv ]; then \
	  $(PYTHON) tests/yardstick/ratio.py $$out/pypy_conv $$out/numpy_conv "convnet $(BENCH_LAYERS), nnloop under PyPy / numpy"; fi; \
	rm -rf $$out

clean:
	rm -rf .venv-* nnloop.egg-info .pytest_cache .hypothesis build dist
