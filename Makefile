# One set of build tags everywhere: duckdb_arrow enables duckdb-go's Arrow interface.
TAGS := duckdb_arrow
GO ?= go

.PHONY: build demo test check bench fmt vet lint

build:
	$(GO) build -tags $(TAGS) -o attrib ./cmd/attrib

demo: build
	./attrib demo

test:
	# go vet ran in full just before (make vet): -vet=off skips the subset go test would run again per package
	$(GO) test -tags $(TAGS) -race -vet=off -timeout 20m ./...
	# allocation checks are meaningless under -race: run them once without it
	$(GO) test -tags $(TAGS) -run Allocations ./transform/channel/

vet:
	$(GO) vet -tags $(TAGS) ./...

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

check: fmt vet test

bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x ./...

# Optional deeper lint (fetches staticcheck through the Go module proxy; not part of CI).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags $(TAGS) ./...
