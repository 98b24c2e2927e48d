"""Worked problems, derived with symproof: one module per problem, each defining ``PROBLEM``
(a :class:`symproof.registry.Problem`) or a list ``PROBLEMS``. This folder is installed as
``symproof.worked``, never as a top-level package ``proofs``; ``symproof.registry`` finds its
modules by path (every ``*.py`` not starting with ``_``) and loads each once, through the loader
that runs a user's problem file. Add a module to add a problem."""
