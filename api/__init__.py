"""Plumbing of the public read API (DESIGN §5): the locale parameter, strict query
parameters, pagination, the error shape and the serializers' shared fields."""
