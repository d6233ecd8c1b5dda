"""The workshop dashboard (``reintegration-sim serve``): Mesa's SolaraViz around a base and a
policy run stepped together, with live plots, the network around a sample of people and one
synthetic person's story.

Modules: :mod:`.run` (the pair of runs, the Mesa model the page drives), :mod:`.levers` (the
controls, generated from the parameter register and the lever registry), :mod:`.story` (the
per-person event tracker), :mod:`.netview` and :mod:`.plots` (the figures), :mod:`.render`
(fast redraws), :mod:`.app` (the Solara page) and :mod:`.server` (the command). Only
:mod:`.app` and :mod:`.server` need Solara; the rest can be used and tested without it.

Synthetic people only: the dashboard compares policies; it never scores a real person.
"""
