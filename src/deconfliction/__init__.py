"""Deconfliction Line: a neutral notification channel for parties sharing airspace and ground.

Layers import one way only: ``engine`` (pure domain and geometry) <- ``store`` <- ``service``
<- ``cli``.  Nothing is approved or denied anywhere in this package: notices are accepted and
delivered, and the engine computes what they conflict with.
"""

__version__ = "0.1.0"
