"""Tooling around the simulations: the runner and the toolchain, generators (tops, gtkw) and the
reports of synthesis, formal proofs and coverage."""
