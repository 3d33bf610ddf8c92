# The two commands a fresh machine needs: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/orchestrator

.PHONY: build run test test-short lint fmt-check vet bench cover clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/orchestrator

run: build
	./$(BIN) run

# What CI runs: formatting, vet, then every test (black-box ones in test/ too) under the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 ./...

# Unit tests only: skips the long leak cycles and the black-box tests in test/.
test-short:
	$(GO) test -race -count=1 -short ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint: fmt-check vet
	$(GO) tool staticcheck ./...

# Go benchmarks, then the webhook load comparison (bare net/http vs the daemon).
bench: build
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	$(GO) build -o bin/loadgen ./test/loadgen
	./bin/loadgen -bin $(BIN)

cover:
	$(GO) test -count=1 -coverprofile=cover.out ./... && $(GO) tool cover -func=cover.out | tail -1

clean:
	rm -rf bin cover.out
