# One command to set up and run the main job, one to run every test (README).
.PHONY: setup build run test test-stress typecheck depcheck unit bench clean install-cli

NODE_STAMP := node_modules/.installed

setup: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json scripts/system-deps.sh
	bash scripts/system-deps.sh
	npm ci --no-audit --no-fund
	@touch $@

build: setup
	npm run --silent build

run: build
	@bash scripts/demo.sh

# `mibc-ais` on PATH: npm link into PREFIX (default ~/.local, so ~/.local/bin must be on PATH).
PREFIX ?= $(HOME)/.local
install-cli: build
	npm_config_prefix="$(PREFIX)" npm link --no-audit --no-fund
	@echo "mibc-ais -> $(PREFIX)/bin/mibc-ais"

typecheck: setup
	npm run --silent typecheck

depcheck: setup
	npm run --silent depcheck

unit: setup
	npx vitest run

test: typecheck depcheck unit

# The vitest suite RUNS times with stress-ng loading both cores: no test may need an idle machine.
RUNS ?= 3
test-stress: setup
	bash scripts/test-under-load.sh $(RUNS)

# Every benchmark; each prints its table and writes JSON to bench/results/ (link: also the SVG charts).
bench: build
	npm run --silent bench:nmea
	npm run --silent bench:crypto
	npm run --silent bench:envelope
	npm run --silent bench:amortised
	npm run --silent bench:attack
	npm run --silent bench:rx-scaling
	node dist/cli/main.js bench link

clean:
	rm -rf dist node_modules bench/results
