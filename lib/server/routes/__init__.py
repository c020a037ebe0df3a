"""One router per resource of the Extract v2 API."""
