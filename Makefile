# One set of build tags everywhere: duckdb_arrow enables duckdb-go's Arrow interface.
TAGS := duckdb_arrow
GO ?= go

.PHONY: build demo test check bench fmt vet

build:
	$(GO) build -tags $(TAGS) -o attrib ./cmd/attrib

demo: build
	./attrib demo

test:
	$(GO) test -tags $(TAGS) -race ./...

vet:
	$(GO) vet -tags $(TAGS) ./...

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

check: fmt vet test

bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x ./...
