"""Caught exceptions are freed (docs/exceptions.md, "Who frees an exception"): throwing and
catching a million times, with catch_ref and catch_all_ref + throw_ref, and with a legacy
catch part left by a callee's exception, leaves the peak RSS where it was after the first
ten thousand, and the payloads stay intact."""

import subprocess
import sys
import textwrap

from wasmc import api

MODULE = r"""
(module
  (tag $e (param i32))
  (tag $f)
  (func $throw (param i32) (throw $e (local.get 0)))
  (func $throw_f (throw $f))

  ;; catch_ref: the exnref goes into a local, replaced by the next one
  (func (export "catch_ref") (param $n i32) (result i32)
    (local $sum i32) (local $last exnref)
    (loop $l
      (block $h (result i32 exnref)
        (try_table (catch_ref $e $h) (call $throw (local.get $n)))
        (unreachable))
      (local.set $last)
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; a cleanup (catch_all_ref, throw_ref) between the throw and the catch
  (func $cleanup (param i32)
    (block $c (result exnref)
      (try_table (catch_all_ref $c) (call $throw (local.get 0)))
      (return))
    (throw_ref))
  (func (export "cleanup") (param $n i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h) (call $cleanup (local.get $n)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; legacy: the catch part is left by an exception its callee throws
  (func $leave_by_callee (param i32)
    try
      (call $throw (local.get 0))
    catch $e
      drop
      (call $throw_f)
    end)
  (func (export "legacy") (param $n i32) (result i32)
    (local $count i32)
    (loop $l
      try
        (call $leave_by_callee (local.get $n))
      catch $f
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
      end
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $count))
)
"""

# The child: builds the module, runs each loop 10^4 times, notes the peak RSS, runs it
# 10^6 times, and prints the growth of the peak in KiB with the loop's result.
CHILD = textwrap.dedent("""
    import resource, sys
    from wasmc import api
    x = api.load(sys.argv[1], opt=1).exports
    for name in ("catch_ref", "cleanup", "legacy"):
        warm = x[name](10_000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = x[name](1_000_000)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(name, warm, result, after - before)
""")


def test_a_million_catches_take_constant_memory(tmp_path):
    wat = tmp_path / "leak.wat"
    wat.write_text(MODULE)
    api.load(wat, opt=1)  # compile once here, so a compile error shows as such
    out = subprocess.run([sys.executable, "-c", CHILD, str(wat)], capture_output=True,
                         text=True, check=True).stdout
    rows = {name: (int(warm), int(result), int(growth))
            for name, warm, result, growth in (line.split() for line in out.splitlines())}
    million_sum = (10**6 * (10**6 + 1) // 2) % 2**32
    million_sum = million_sum - 2**32 if million_sum >= 2**31 else million_sum
    assert rows["catch_ref"][:2] == (10_000 * 10_001 // 2, million_sum)
    assert rows["cleanup"][:2] == (10_000 * 10_001 // 2, million_sum)
    assert rows["legacy"][:2] == (10_000, 1_000_000)
    # An exception object is at least 32 bytes: a leak would be 30 MiB or more.
    for name, (_, _, growth_kib) in rows.items():
        assert growth_kib < 2048, f"{name}: peak RSS grew by {growth_kib} KiB: {out}"
