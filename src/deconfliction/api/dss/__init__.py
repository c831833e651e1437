"""The ASTM F3548-21 DSS interface, mounted at ``/dss/v1``."""

from deconfliction.api.dss.app import create_dss_app

__all__ = ["create_dss_app"]
