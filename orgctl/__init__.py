"""orgctl: the support CLI of orgplane. It talks to the API over HTTPS like any client (``python -m orgctl``).

Configuration: ``--url``/``--token`` or ``ORGCTL_URL``/``ORGCTL_TOKEN`` (a token of the app's support
group). Standard library only, so it runs from any Python 3.12 without the project's dependencies.
"""
