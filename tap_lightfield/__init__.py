"""tap-lightfield: a Singer tap for the Lightfield CRM API, on ``connector_core``."""
