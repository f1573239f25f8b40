"""Pages whose text is never template source: one Jinja pass over folium's own templates, no second.

branca renders a page in two passes. First every element's macros (folium's fixed templates, with
our data as variables) produce text, and branca wraps each piece of that text in a new
``Element(text)`` -- which compiles the text *as a Jinja template*. The page template then renders
those elements, so any ``{{ ... }}`` or ``{% ... %}`` that came from a unit name, a title or a
label was evaluated (``{{7*7}}`` became ``49``; ``lipsum.__globals__`` reached ``os``).

:class:`LiteralFigure` removes that second pass by construction:

* before rendering, every :class:`~branca.element.MacroElement` of the tree is given a subclass
  whose macro output goes into the page as a :class:`Verbatim` (``render`` returns the text
  unchanged), so the text is never handed to ``Template`` -- not even compiled;
* text that an element still wrapped in ``Element(text)`` (folium's ``Popup``, class includes)
  is turned into :class:`Verbatim` before the page template runs;
* it refuses (:class:`UnsafePageError`) a tree in which any element carries a template compiled
  at run time (an instance ``_template``), before and after the first pass.

Only templates written in source code -- folium's and ours, class attributes -- are compiled.
"""

from __future__ import annotations

from collections.abc import Iterator

from functools import cache

from branca.element import Element, Figure, MacroElement

from maps.errors import MapError

__all__ = ["Verbatim", "LiteralMacro", "LiteralFigure", "UnsafePageError", "adopt"]

_SECTIONS = ("header", "html", "script")


class UnsafePageError(MapError):
    """An element of a page would compile run-time text (possibly user text) as a template."""


class Verbatim(Element):
    """Pre-built text (already escaped where needed) that is emitted exactly as given.

    Parameters
    ----------
    text : str
        The HTML, CSS or script text. It is never parsed by Jinja.

    Examples
    --------
    >>> Verbatim("<b>{{7*7}}</b>").render()
    '<b>{{7*7}}</b>'
    """

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = str(text)

    def render(self, **kwargs) -> str:
        """The text, unchanged."""
        return self.text


class LiteralMacro(MacroElement):
    """A :class:`~branca.element.MacroElement` whose macros' output enters the page as
    :class:`Verbatim` (branca's own ``render`` compiles it as a template)."""

    def render(self, **kwargs) -> None:
        """Render the header, html and script macros (data as variables) into the figure, once."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise UnsafePageError(f"{type(self).__name__} can only be rendered inside a figure")
        module = self._template.module.__dict__
        for name in _SECTIONS:
            macro = module.get(name)
            if macro is not None:
                getattr(figure, name).add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


@cache
def _literal_class(cls: type) -> type:
    """``cls`` with :class:`LiteralMacro` just above ``MacroElement`` in its method order, so that the
    ``super().render()`` of folium's classes ends in :meth:`LiteralMacro.render`."""
    return type(cls.__name__, (cls, LiteralMacro), {"__module__": cls.__module__, "__doc__": cls.__doc__})


def _elements(element: Element) -> Iterator[Element]:
    """``element`` and every element below it, including figure-like header/html/script parts."""
    yield element
    for name in _SECTIONS:
        part = getattr(element, name, None)
        if isinstance(part, Element) and part is not element:
            yield from _elements(part)
    for child in element._children.values():
        yield from _elements(child)


def _compiled_at_run_time(element: Element) -> bool:
    return "_template" in vars(element) or getattr(element, "_template_str", None) is not None


class LiteralFigure(Figure):
    """A branca :class:`~branca.element.Figure` that renders folium's templates once and never
    compiles text produced at run time (see the module docstring)."""

    def check(self) -> None:
        """Raise :class:`UnsafePageError` if any element holds a run-time template.

        Raises
        ------
        UnsafePageError
            Naming the element's class and name.
        """
        for element in _elements(self):
            if _compiled_at_run_time(element):
                raise UnsafePageError(
                    f"page element {type(element).__name__} {element.get_name()!r} would render run-time text "
                    "as a template; build it as maps._literal.Verbatim (pre-escaped text) instead")

    def _literalise(self) -> None:
        """Give every macro element of the tree the literal render (see :class:`LiteralMacro`)."""
        for element in _elements(self):
            if isinstance(element, MacroElement) and not isinstance(element, LiteralMacro):
                element.__class__ = _literal_class(type(element))

    def _freeze(self) -> None:
        """Turn the text that branca's first pass wrapped in ``Element(text)`` into :class:`Verbatim`."""
        for element in list(_elements(self)):
            for name in _SECTIONS:
                part = getattr(element, name, None)
                if not isinstance(part, Element) or part is element:
                    continue
                for key, child in list(part._children.items()):
                    if type(child) is Element and child._template_str is not None and not child._children:
                        verbatim = Verbatim(child._template_str)
                        verbatim._parent = part
                        part._children[key] = verbatim

    def prepare(self, **kwargs) -> None:
        """Run the single template pass: the macros' output into the header, html and script parts
        (render those parts, or the page, afterwards; each only once)."""
        self._freeze()  # branca's own <meta> element, and text left by an earlier render
        self.check()
        self._literalise()
        for child in self._children.values():
            child.render(**kwargs)
        self._freeze()
        self.check()

    def render(self, **kwargs) -> str:
        """The whole page; user text in it is data, never template source."""
        self.prepare(**kwargs)
        return self._template.render(this=self, kwargs=kwargs)


def adopt(element: Element) -> LiteralFigure:
    """Move ``element`` (a folium map) from the Figure folium gave it into a new :class:`LiteralFigure`.

    Call it before anything is added to the figure's header, html or script.
    """
    old = element._parent
    if old is not None:
        old._children.pop(element.get_name(), None)
    figure = LiteralFigure()
    if isinstance(old, Figure):
        figure.width, figure.height, figure.ratio, figure.title = old.width, old.height, old.ratio, old.title
    figure.add_child(element)
    return figure
