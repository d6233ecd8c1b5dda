"""The workshop dashboard (``reintegration-sim serve``): Mesa's SolaraViz around a base and a
policy run stepped together, with live plots, the network around a sample of people and one
synthetic person's story.

Modules: :mod:`.run` (the pair of runs and the band of paired replications, the Mesa model
the page drives), :mod:`.verdict` (when a difference may be called better or worse),
:mod:`.levers` (the controls, generated from the parameter register and the lever registry),
:mod:`.presets` (the preset groups and titles), :mod:`.walkthrough` (guided sessions from TOML
files), :mod:`.story` (the per-person event tracker), :mod:`.netview` and :mod:`.plots` (the
figures), :mod:`.render` (fast redraws), :mod:`.workshop` (the presentation page, the default),
:mod:`.app` (Mesa's SolaraViz page, behind "Advanced controls") and :mod:`.server` (the
command). Only :mod:`.workshop`, :mod:`.app` and :mod:`.server` need Solara; the rest can be
used and tested without it.

Synthetic people only: the dashboard compares policies; it never scores a real person.
"""
