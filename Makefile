# `make train` trains a network on the bundled MNIST; `make test` runs the tests.
# Both set themselves up on a fresh machine: training needs nothing but
# Python; the tests make their own virtual environment with pytest and
# hypothesis, one per interpreter (make test PYTHON=pypy3 for PyPy).

PYTHON ?= python3
VENV ?= .venv-$(notdir $(PYTHON))
# PyPy runs the same loops about twenty times faster, so training uses it when it is there.
TRAIN_PYTHON ?= $(shell command -v pypy3 || command -v $(PYTHON))
ARGS ?=

.PHONY: train test clean

train:
	@case "$(TRAIN_PYTHON)" in \
	  *pypy*) echo "make train: nnloop train under PyPy ($(TRAIN_PYTHON))";; \
	  *) echo "make train: nnloop train under $(TRAIN_PYTHON); install pypy3 to train about 20x faster";; \
	esac
	$(TRAIN_PYTHON) -m nnloop train $(ARGS)

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

$(VENV)/.installed: pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf .venv-* nnloop.egg-info .pytest_cache .hypothesis
