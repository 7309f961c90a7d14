"""wasmc.bench.alternate: two builds measured in A B B A order, medians and the output check
(no timing: a fake measurement)."""

from wasmc.bench.alternate import time_alternately
from wasmc.bench.engines import Build


def test_builds_alternate_and_medians_are_taken() -> None:
    a, b = Build(["a"], None), Build(["b"], None)
    order: list[str] = []
    shifts: list[int] = []
    values = {"a": iter([1.0, 5.0, 2.0]), "b": iter([10.0, 30.0, 20.0])}

    def measure(build: Build, args, shift: int) -> tuple[float, str]:
        name = build.command[0]
        order.append(name)
        shifts.append(shift)
        return next(values[name]), "out"

    pair = time_alternately([a, b], ("x",), 3, measure)
    assert order == ["a", "b", "b", "a", "a", "b"]
    # Both runs of a round with the stack at one place (engines.stack_shift), each round
    # at another.
    assert shifts[0::2] == shifts[1::2] and len(set(shifts)) == 3
    assert (pair.a, pair.b, pair.ratio, pair.same_output) == (2.0, 20.0, 10.0, True)


def test_differing_outputs_are_reported() -> None:
    outputs = iter(["1", "1", "2", "1"])
    pair = time_alternately([Build(["a"], None), Build(["b"], None)], (), 2,
                            lambda build, args, shift: (1.0, next(outputs)))
    assert not pair.same_output
