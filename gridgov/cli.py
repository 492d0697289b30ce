"""The ``gridgov`` command: a thin front over Django's management commands.

    gridgov init-district 110101
    gridgov import-boundary FILE.geojson --name 东城区
    gridgov generate-grids 110101
    gridgov locate 116.41 39.91        |  gridgov locate --csv points.csv
    gridgov createuser NAME --role grid_worker --node 110101001001W001
    gridgov demo                       |  gridgov serve [--demo]
    gridgov data-key                   (a new GRIDGOV_DATA_KEY; serve refuses the public default keys outside the demo)
    gridgov bench locate
    gridgov assess score FILE.json     (考评: score a facts document, no database; see README 「考评」)
    gridgov worker  |  gridgov beat    (with GRIDGOV_BROKER_URL: Celery workers and the one scheduler; README 「多机部署」)
    gridgov backup FILE.tar.gz  |  gridgov restore FILE.tar.gz   (database and files together, into an empty database)

Any other Django command works too (``gridgov migrate``, ``gridgov shell``…). Commands that use the database
bring it up to date first, so a fresh folder needs no separate set-up step.
"""

import os
import sys

NO_DB = {"bench", "data_key", "help", "--help", "-h", "version", "--version", "makemigrations", "check", "test",
         "backup", "restore"}  # scale: a backup copies the database as it is; a restore needs an empty one


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django
    from django.core.management import call_command, execute_from_command_line

    django.setup()
    if not argv or argv[0] in ("help", "--help", "-h"):
        print(__doc__)
        return 0
    command = argv[0].replace("-", "_")
    no_db = command in NO_DB or argv[:2] == ["assess", "score"]  # assess: scoring a file needs no database
    if not no_db and command != "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)  # the shared cache (throttles) lives in the database
    execute_from_command_line(["gridgov", command, *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
