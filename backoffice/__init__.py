"""Admin building blocks both contexts share: ownership scoping, import rules, charts.

Imports neither context nor the composition root, so each context may use it.
"""
