# One command to set up and run the main job, one to run every test (README).
.PHONY: setup build run test typecheck depcheck unit bench clean

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

typecheck: setup
	npm run --silent typecheck

depcheck: setup
	npm run --silent depcheck

unit: setup
	npx vitest run

test: typecheck depcheck unit

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
