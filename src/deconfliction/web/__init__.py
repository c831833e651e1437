"""The duty officer's console: the built web page, served at ``/``, and its sessions.

A layer beside :mod:`deconfliction.api`, above :mod:`deconfliction.service`: it adds its routes
to the application the API builds (:func:`install`), and shares its error shape.
"""

from deconfliction.web.app import install

__all__ = ["install"]
