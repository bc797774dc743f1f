"""dangvien's schema job (docker-compose.yml `dangvien-tables`): creates every table the
processes use — the event store, the read models, accounts, notifications — before the worker
replicas, the projector and the API start. Left to them, processes starting together on an
empty database race to create the same tables, and PostgreSQL refuses all but one
(`CREATE TABLE IF NOT EXISTS` is not safe under concurrency). Idempotent: run on every `up`.

Run with the dangvien image's Python and the services' environment (infra/settings.py)."""

from __future__ import annotations

from infra.bootstrap import build_app
from infra.logins import LoginGuard
from infra.notifications import Notifications
from infra.settings import Settings
from infra.users import UserStore
from projections.database import open_engine
from projections.projector import Projector, live_version


def main() -> None:
    settings = Settings.from_env()
    app = build_app(settings)  # the event store's tables
    try:
        engine = open_engine(settings.readmodel_database)
        Notifications(engine)
        LoginGuard(UserStore(engine))  # accounts, their trail, failed-login counters
        Projector(app, engine, version=live_version(engine))  # the live read model's tables
    finally:
        app.close()
    print("dangvien-tables: every table exists")


if __name__ == "__main__":
    main()
