"""Interrupting Wasm code that runs too long: interrupt cells, deadlines and their watchdog.

A module compiled with `interruptible=True` checks an interrupt cell at every function entry
and loop header (wasmc.h, "interruption"); a non-zero cell ends the running call with a trap.
This is Wasmtime's epoch interruption made simpler: instead of comparing an engine-wide
epoch with a per-store deadline in compiled code, the host decides when a group's time is up
and writes the trap code into the group's cell, so the check is one load and a branch.

Every group of linked instances (a `Store`, store.py) has one cell, shared by its instances:
a call may run in any of them. When groups merge, the instances of the absorbed group are
pointed at the surviving cell. Two codes can be written there:

  - WASMC_TRAP_INTERRUPT ("interrupt"), by `Interrupt.request` (Instance.interrupt, from any
    thread): used up by the trap it causes, so the next call runs;
  - WASMC_TRAP_DEADLINE ("deadline exceeded"), when a deadline passes: stays until a new
    deadline is set, so every later call traps at once (as a passed Wasmtime epoch deadline
    does).

Deadlines in seconds are kept by one watchdog thread for the process, which sleeps until the
earliest. It needs the GIL to run, which it gets: Wasm code runs without the GIL (ctypes
releases it around every call into compiled code).
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time

TRAP_INTERRUPT = 15  # WASMC_TRAP_INTERRUPT in wasmc.h
TRAP_DEADLINE = 16  # WASMC_TRAP_DEADLINE


class Interrupt:
    """The interrupt cell of one group of instances, the instances that read it, and the
    group's deadline."""

    __slots__ = ("cell", "_slots", "_old_cells", "deadline", "_merged_into")

    def __init__(self) -> None:
        self.cell = ctypes.c_uint32(0)  # what the instances' checks read
        self._slots: list[ctypes.c_void_p] = []  # each instance's pointer to the cell
        self._old_cells: list[ctypes.c_uint32] = []  # absorbed groups' (a call may read one)
        # The deadline that may still fire: the watchdog fires an entry only if it is this
        # token, so a new deadline (or none) makes the earlier ones harmless.
        self.deadline: object | None = None
        self._merged_into: Interrupt | None = None  # set when absorbed by another group

    def current(self) -> Interrupt:
        """The Interrupt that now serves this one's instances (itself unless absorbed)."""
        interrupt = self
        while interrupt._merged_into is not None:
            interrupt = interrupt._merged_into
        return interrupt

    def attach(self, slot_address: int) -> None:
        """Point an instance (the address of its `interrupt` field) at this cell."""
        slot = ctypes.c_void_p.from_address(slot_address)
        slot.value = ctypes.addressof(self.cell)
        self._slots.append(slot)

    def absorb(self, other: Interrupt) -> None:
        """Take over the instances of a group being merged into this one. A pending
        interrupt or a passed deadline of either group applies to both; so does the
        deadline of the other group if this one has none."""
        target = ctypes.addressof(self.cell)
        for slot in other._slots:
            slot.value = target
        self._slots += other._slots
        self._old_cells += [other.cell, *other._old_cells]
        if other.cell.value and not self.cell.value:
            self.cell.value = other.cell.value
        if self.deadline is None:
            self.deadline = other.deadline
        other._slots = []
        other._merged_into = self

    def request(self) -> None:
        """Interrupt the call running in the group now, or the next one (thread-safe)."""
        if not self.cell.value:  # a passed deadline stays what it is
            self.cell.value = TRAP_INTERRUPT

    def set_deadline(self, seconds: float | None) -> None:
        """Trap calls of the group from `seconds` from now on (None: no deadline). Clears a
        passed deadline; a pending interrupt request stays."""
        if seconds is not None and not (isinstance(seconds, int | float) and seconds >= 0):
            raise ValueError(f"a deadline is a number of seconds >= 0 or None, not {seconds!r}")
        token = None if seconds is None else object()
        self.deadline = token
        if self.cell.value == TRAP_DEADLINE:
            self.cell.value = 0
        if token is not None:
            if seconds == 0:
                self.cell.value = TRAP_DEADLINE
            else:
                _watchdog().schedule(time.monotonic() + seconds, self, token)

    def expire(self) -> None:
        """The group's deadline has passed (or an epoch deadline was reached)."""
        self.cell.value = TRAP_DEADLINE

    def clear_expired(self) -> None:
        """Withdraw a passed deadline (an epoch deadline moved into the future)."""
        if self.cell.value == TRAP_DEADLINE:
            self.cell.value = 0


class _Watchdog:
    """One daemon thread that expires deadlines as they pass (started on first use)."""

    def __init__(self) -> None:
        # (when, order, the Interrupt, its deadline's token); an entry keeps its Interrupt
        # until it fires, which is harmless: the cell is Python's, the instances may be gone
        self._heap: list[tuple[float, int, Interrupt, object]] = []
        self._order = itertools.count()  # ties: first scheduled, first fired
        self._wake = threading.Condition()
        threading.Thread(target=self._run, name="wasmc-deadlines", daemon=True).start()

    def schedule(self, when: float, interrupt: Interrupt, token: object) -> None:
        with self._wake:
            heapq.heappush(self._heap, (when, next(self._order), interrupt, token))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                _, _, interrupt, token = heapq.heappop(self._heap)
            interrupt = interrupt.current()  # the group may have merged meanwhile
            if interrupt.deadline is token:
                interrupt.expire()


_the_watchdog: _Watchdog | None = None
_watchdog_lock = threading.Lock()


def _watchdog() -> _Watchdog:
    global _the_watchdog
    with _watchdog_lock:
        if _the_watchdog is None:
            _the_watchdog = _Watchdog()
        return _the_watchdog
