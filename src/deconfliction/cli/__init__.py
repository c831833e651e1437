"""The ``deconflict`` command."""
