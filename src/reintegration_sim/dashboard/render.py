"""Fast PNG frames of a matplotlib figure whose few changing artists are redrawn over a cached
background (blitting), so a dashboard redraw costs a rasterisation of what changed and a quick
PNG encoding, not a full figure draw."""

from __future__ import annotations

import io

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["Frames"]


class Frames:
    """PNG frames of ``figure``: the artists marked with :meth:`add` are drawn on each frame
    over the rest, which is drawn once and kept until :meth:`invalidate` (call it when anything
    else changes, e.g. axis limits).

    Args:
        figure: the figure (not managed by pyplot).
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.dynamic: list[Artist] = []
        self._background = None

    def add[A: Artist](self, artist: A) -> A:
        """Mark ``artist`` as changing between frames."""
        artist.set_animated(True)
        self.dynamic.append(artist)
        return artist

    def invalidate(self) -> None:
        """Redraw the background on the next frame."""
        self._background = None

    def png(self, compress_level: int = 1) -> bytes:
        """The current frame as PNG bytes (fast compression by default)."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer(
            "RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=compress_level)
        return out.getvalue()
