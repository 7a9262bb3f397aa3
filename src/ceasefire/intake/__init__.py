"""Inbound channels: the deployment's intake forms (XLSForm, compiled to XForms), the
OpenRosa protocol that ODK Collect, KoboCollect and Enketo speak, and the mapping of a
submission onto the record it creates. Pure: the services store and create."""
