"""`storefront serve | migrate | seed | outbox | create-staff`: what an operator runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

from storefront.settings import VAR, Settings, tortoise_config


def _migration_url(url: str) -> str:
    # On SQLite, altering a table rebuilds it (DROP + CREATE), which would cascade-delete child rows
    # while foreign keys are enforced: migrations run with them off.
    if url.startswith("sqlite"):
        return url + ("&" if "?" in url else "?") + "foreign_keys=OFF"
    return url


async def migrate(settings: Settings) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    from storefront.domain import db, schema

    await run_migrations(config=tortoise_config(_migration_url(settings.database_url)))
    await Tortoise.close_connections()
    await db.init(settings.database_url)
    try:
        await schema.install_extras()
        await db.analyze()
    finally:
        await db.close()


async def seed(settings: Settings, *, demo: bool, products: int, if_empty: bool) -> str:
    from storefront import seed as seeding
    from storefront.domain import db
    from storefront.seed.staff import demo_owner

    await db.init(settings.database_url)
    try:
        if demo and not await seeding.is_empty():
            if if_empty:
                return "The shop already has products: not seeding the demo."
            raise SystemExit("The demo needs an empty shop, and this one has products already.")
        if demo:
            await seeding.demo(settings.media_dir, settings.language)
            owner = await demo_owner()
            if owner:
                credentials = VAR / "demo-owner.txt"
                credentials.write_text(f"Back office: {settings.base_url}/admin  {owner[0]} / {owner[1]}\n")
                credentials.chmod(0o600)
                print(f"The demo owner's login is in {credentials}.")
        if products:
            await seeding.bulk(products, settings.media_dir, settings.language)
        await db.analyze()
        return "Seeded."
    finally:
        await db.close()


async def outbox(settings: Settings, *, send: bool) -> str:
    from storefront import mailer
    from storefront.domain import db

    await db.init(settings.database_url)
    try:
        return await mailer.outbox_report(settings, send=send)
    finally:
        await db.close()


async def create_staff(settings: Settings, email: str, role: str, password: str) -> str:
    from storefront.domain import db
    from storefront.domain.forms import FieldErrors
    from storefront.domain.staff import accounts

    await db.init(settings.database_url)
    try:
        staff = await accounts.create(email, password, role, by=accounts.COMMAND_LINE)
    except FieldErrors as exc:
        raise SystemExit(f"Not created: {exc}") from None
    finally:
        await db.close()
    return f"Created {staff.role} {staff.email}."


def serve(settings: Settings) -> int:
    from storefront import server

    print(f"Serving {settings.shop_name} at http://{settings.host}:{settings.port}", flush=True)
    return server.serve(settings)


def _ensure_var(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite:///"):
        VAR.mkdir(parents=True, exist_ok=True)
        (VAR / "media").mkdir(exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="storefront")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the shop (uvicorn, production defaults)")
    commands.add_parser("migrate", help="apply database migrations")
    seed_parser = commands.add_parser("seed", help="fill the database with products")
    seed_parser.add_argument("--demo", action="store_true", help="the demo shop (categories, 120+ products)")
    seed_parser.add_argument(
        "--products", type=int, default=0, metavar="N", help="N generated products, for benchmarks"
    )
    seed_parser.add_argument("--if-empty", action="store_true", help="skip the demo quietly if the shop has products")
    outbox_parser = commands.add_parser("outbox", help="list the latest emails and whether they were sent")
    outbox_parser.add_argument("--send", action="store_true", help="send the emails due now, once (needs SMTP_URL)")
    staff_parser = commands.add_parser("create-staff", help="a staff account (asks for the password)")
    staff_parser.add_argument("email")
    staff_parser.add_argument("--role", choices=["owner", "staff"], default="staff")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    _ensure_var(settings)
    if args.command == "serve":
        return serve(settings)
    elif args.command == "migrate":
        asyncio.run(migrate(settings))
        print(f"Migrated {urlsplit(settings.database_url).scheme} database.")
    elif args.command == "seed":
        if not (args.demo or args.products):
            parser.error("seed needs --demo or --products N")
        if not 0 <= args.products <= 100_000:
            parser.error("--products must be between 0 and 100000")
        print(asyncio.run(seed(settings, demo=args.demo, products=args.products, if_empty=args.if_empty)))
    elif args.command == "create-staff":
        import getpass

        password = (
            getpass.getpass("Password (10+ characters): ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        )
        print(asyncio.run(create_staff(settings, args.email, args.role, password)))
    elif args.command == "outbox":
        print(asyncio.run(outbox(settings, send=args.send)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
