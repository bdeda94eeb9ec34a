#!/bin/sh
# Entry options of the image: web (default), migrate, worker, or any manage.py command.
set -e
cd "$(dirname "$0")"
case "$1" in
    web)
        exec gunicorn --config gunicorn.conf.py lmsa_portal.wsgi:application
        ;;
    migrate)
        exec python manage.py migrate --noinput
        ;;
    worker)
        exec python manage.py db_worker
        ;;
    *)
        exec python manage.py "$@"
        ;;
esac
