# pixelrec — build, test, demo and benchmark.
#   make demo    install what is missing, build, run the whole pipeline on generated data
#   make test    install what is missing, build, run every test
SHELL := /bin/bash
SWIFT   ?= swift
PREFIX  ?= /usr/local
BENCH   ?=
FUZZ_SECONDS ?= 300

# Debian packages: the five C libraries, plus the ONNX conformance data and Open MPI the tests use (the
# build never needs MPI: pixelrec loads libmpi.so.40 at run time, under mpirun/srun only).
APT_PACKAGES      := libopenblas-dev liblapacke-dev libturbojpeg0-dev libpng-dev libyaml-dev
APT_TEST_PACKAGES := libonnx-testdata openmpi-bin libopenmpi-dev

# Swift code is compiled for haswell (AVX2 + FMA, i.e. x86-64-v3, a name Swift's -target-cpu rejects), so the
# binary runs on every x86-64 CPU with AVX2; the hot kernels (Sources/CPixelKernels) are compiled for AVX-512,
# AVX2 and baseline x86-64 and pick the widest at run time (PIXELREC_ISA=avx2|baseline lowers it).
# CPU=native (or znver4, …) tunes all code for this machine only: such a binary may stop with SIGILL on
# another CPU. CPU=x86-64 runs on every x86-64.
ifneq ($(shell grep -m1 -o -w avx2 /proc/cpuinfo 2>/dev/null),)
  CPU ?= haswell
else
  CPU ?= x86-64
endif
RELEASE_FLAGS := -c release -Xswiftc -target-cpu -Xswiftc $(CPU) -Xcc -march=$(CPU)
BIN := .build/release/pixelrec

.PHONY: all setup setup-test build debug test demo examples bench fuzz format install clean help models

all: build

help:
	@echo "make demo | examples | test | build | bench [BENCH=prefix] | fuzz [FUZZ_SECONDS=n FUZZ_TARGETS=ONNXFuzz] | format | install [PREFIX=…] | clean | setup"

# Installs the Debian packages that are missing; does nothing when all are present.
setup:
	@bash scripts/ensure-apt.sh $(APT_PACKAGES)

setup-test: setup
	@bash scripts/ensure-apt.sh $(APT_TEST_PACKAGES)

build: setup
	$(SWIFT) build $(RELEASE_FLAGS) --product pixelrec

debug: setup
	$(SWIFT) build

# The bit-exact training suites run a second time on OpenBLAS's AVX2 (Haswell) kernels, the ones a
# machine without AVX-512 picks, so a pass here means a pass there.
PINNED_SUITES := DataParallelTests

test: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2
	OPENBLAS_CORETYPE=Haswell $(SWIFT) test --skip-build --filter '$(PINNED_SUITES)'


demo: build
	@bash scripts/demo.sh $(BIN)

# Every Examples/<name>/run.sh on tiny generated data (each in its own temporary folder).
examples: build
	@for example in Examples/*/run.sh; do \
	  out=$$(mktemp -d); \
	  if SCALE=tiny OUT=$$out PIXELREC=$(BIN) PIXELREC_DATA= bash $$example > $$out.log 2>&1; then \
	    echo "examples: $$example ok"; rm -rf $$out $$out.log; \
	  else echo "examples: $$example FAILED; log in $$out.log" >&2; exit 1; fi; \
	done

bench: setup
	@bash bench/run.sh "$(BENCH)" "$(CPU)"

fuzz: setup
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Package.swift Sources Tests

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pixelrec

models:
	@bash scripts/models.sh

clean:
	rm -rf .build .build-fuzz demo-out fuzz-out
