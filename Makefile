# The two commands in the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5005
export FLASK_APP := wsgi

.PHONY: run serve test lint format install install-dev migrate-check bench bench-realtime bench-capacity clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Set up and serve on the embedded SQLite database (port $(PORT)).
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo
	PORT=$(PORT) $(BIN)/python wsgi.py

## The production topology on this machine (docs/deployment.md): nginx on $(PORT), the API in one
## process per core, the real-time server beside it. Needs DATABASE_URL and REDIS_URL.
serve: install
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	PORT=$(PORT) $(BIN)/python deploy/serve.py

## Install the development requirements, lint, and run the whole suite.
test: install-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Upgrade an empty database and check the models match the migrations (DATABASE_URL selects it).
migrate-check: install
	$(BIN)/flask db upgrade
	$(BIN)/flask db check

## Benchmark the production server (bench/run.py): BENCH_DB=sqlite|postgres BENCH_USERS=… BENCH_SECONDS=… BENCH_REPEAT=…
BENCH_DB ?= sqlite
BENCH_USERS ?= 100000
BENCH_SECONDS ?= 3
BENCH_REPEAT ?= 3
bench: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	$(BIN)/python bench/run.py --db $(BENCH_DB) --users $(BENCH_USERS) --seconds $(BENCH_SECONDS) --repeat $(BENCH_REPEAT)

## Socket.IO chat against an echo round-trip, the Redis queue, and two instances behind nginx (PostgreSQL + Redis).
BENCH_RT_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_rt
BENCH_RT_RATE ?= 200
bench-realtime: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	$(BIN)/python bench/realtime.py --database-url $(BENCH_RT_DB) --seconds $(BENCH_SECONDS) --repeat $(BENCH_REPEAT) --rate $(BENCH_RT_RATE)
	$(BIN)/python bench/scaleout.py --database-url $(BENCH_RT_DB) --seconds $(BENCH_SECONDS) --repeat $(BENCH_REPEAT)

## Open sockets, bursts and the topology (bench/capacity.py): PostgreSQL + Redis.
BENCH_CAP_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_capacity
BENCH_CAP_SOCKETS ?= 1000
bench-capacity: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	$(BIN)/python bench/capacity.py --database-url $(BENCH_CAP_DB) --sockets $(BENCH_CAP_SOCKETS) --seconds $(BENCH_SECONDS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
