"""AAMI EC57 heartbeat classes and the MIT-BIH beat symbols that map to them.

The five AAMI classes group the MIT-BIH beat annotation symbols:

* ``N`` (normal / bundle branch block / escape): ``N L R e j``
* ``S`` (supraventricular ectopic): ``A a J S``
* ``V`` (ventricular ectopic): ``V E``
* ``F`` (fusion of ventricular and normal): ``F``
* ``Q`` (paced / unclassifiable): ``/ f Q``

Every other annotation symbol (rhythm change ``+``, signal quality ``~``,
artefact ``|``, comment ``"``, flutter wave ``!``, ``[ ]``, non-conducted
P wave ``x`` ...) marks no beat and has no AAMI class.
"""

from __future__ import annotations

from collections.abc import Iterable

AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")

_CLASS_MEMBERS: dict[str, str] = {
    "N": "NLRej",
    "S": "AaJS",
    "V": "VE",
    "F": "F",
    "Q": "/fQ",
}

BEAT_SYMBOL_TO_AAMI: dict[str, str] = {
    symbol: aami for aami, symbols in _CLASS_MEMBERS.items() for symbol in symbols
}


def aami_class(symbol: str) -> str | None:
    """The AAMI class of one beat annotation symbol.

    Args:
        symbol: a WFDB annotation symbol such as ``"N"``, ``"V"`` or ``"+"``.

    Returns:
        One of ``AAMI_CLASSES``, or None when the symbol is not a beat.
    """
    return BEAT_SYMBOL_TO_AAMI.get(symbol)


def count_aami(symbols: Iterable[str]) -> dict[str, int]:
    """Count beats per AAMI class, ignoring non-beat annotations.

    Args:
        symbols: annotation symbols, e.g. ``Series.annotations.label``.

    Returns:
        ``{"N": n, "S": s, "V": v, "F": f, "Q": q}``, every class present (0 when
        absent), in ``AAMI_CLASSES`` order.
    """
    counts = dict.fromkeys(AAMI_CLASSES, 0)
    for symbol in symbols:
        aami = BEAT_SYMBOL_TO_AAMI.get(str(symbol))
        if aami is not None:
            counts[aami] += 1
    return counts
