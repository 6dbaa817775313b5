"""Service errors: each message says how to fix the problem. Routes turn them into HTTP."""


class ServiceError(Exception):
    """Base class for errors the service reports to its users."""


class BadRequestError(ServiceError):
    """The request is well-formed JSON but asks for something that cannot be done."""


class NotFoundError(ServiceError):
    """The requested article or resource does not exist."""
