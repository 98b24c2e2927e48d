"""Worked problems, derived with symproof: one module per problem, each defining ``PROBLEM``
(a :class:`symproof.registry.Problem`). The CLI finds them by discovery; add a module to add a
problem."""
