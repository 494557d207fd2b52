"""The web desk (``sohoa serve``): clerks and supervisors see their dossiers, quarantine,
search and reuse, verify signatures and follow the indicators, in Vietnamese.

Routes are thin: the warehouse's queries live in ``storage/desk_queries.py`` and
``storage/search.py``, the accounts in ``storage/users.py``, the contracts in
``schemas/desk.py``. Everything a clerk reads goes through the gettext catalogue
(``workers/i18n.py``)."""

from workers.desk.app import create_app

__all__ = ["create_app"]
