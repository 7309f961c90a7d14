;; Float-to-int truncations of constants: with the x86 conversion instruction as the fast path (__builtin_ia32_cvtt*), GCC -O2 folds it for a constant out of range or NaN as a C cast (to any value) instead of trapping or saturating
;; Found by: python scripts/fuzz.py diff --seed 20261208 --count 1000 -O 2 --cc gcc (41 of 1000 modules, e.g. i64.trunc_f32_s of 3.6e34; this module by hand, every truncation of constants at the boundaries)
;; wasmc (when found, GCC -O2): 'i32.trunc_f32_s(big)'(): wasmtime trap: integer overflow, wasmc (i32:2147483647)
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'i32.trunc_f32_s(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f32_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f32_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f32_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f32_s(2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_f32_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_f32_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f32_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f32_s(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_s(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_sat_f32_s(big)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(big)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_s(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f32_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f32_s(2p31)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(2p31)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(2p32)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(2p32)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_s(2p63)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(2p63)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f32_s(m2p63)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f32_s(m2p63)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f32_u(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f32_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f32_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f32_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f32_u(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f32_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f32_u(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f32_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_sat_f32_u(big)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(big)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(m2p31)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(m2p31)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f32_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f32_u(2p32)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(2p32)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(m1)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(m1)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(2p63)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(2p63)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f32_u(m2p63)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f32_u(m2p63)'() -> (i32:0)
;;   invoke 'i32.trunc_f64_s(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f64_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f64_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f64_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f64_s(2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_f64_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_f64_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f64_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f64_s(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_s(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_sat_f64_s(big)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(big)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_s(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_s(m2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_s(2p31)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(2p31)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(2p32)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(2p32)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_s(m1)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_s(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_s(2p63)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(2p63)'() -> (i32:2147483647)
;;   invoke 'i32.trunc_sat_f64_s(m2p63)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_s(m2p63)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_s(m2p31m1)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_s(m2p31m1)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f64_u(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(big)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f64_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i32.trunc_f64_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f64_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_f64_u(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(2p32)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f64_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_f64_u(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_f64_u(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i32.trunc_sat_f64_u(big)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(big)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(nan)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m2p31)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m2p31)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_u(2p31)'() -> (i32:-2147483648)
;;   invoke 'i32.trunc_sat_f64_u(2p32)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(2p32)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(m1)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m1)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(mhalf)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(2p63)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(2p63)'() -> (i32:-1)
;;   invoke 'i32.trunc_sat_f64_u(m2p63)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m2p63)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m2p31m1)'() -> (i32:0)
;;   invoke 'i32.trunc_sat_f64_u(m2p31m1)'() -> (i32:0)
;;   invoke 'i64.trunc_f32_s(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_s(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f32_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f32_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_f32_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_f32_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f32_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f32_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f32_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f32_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_f32_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_f32_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f32_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f32_s(2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_s(2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f32_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f32_s(big)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f32_s(big)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f32_s(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_s(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_sat_f32_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_sat_f32_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f32_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f32_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f32_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f32_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f32_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f32_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_s(2p63)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f32_s(2p63)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f32_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f32_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f32_u(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f32_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f32_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f32_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f32_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f32_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f32_u(m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f32_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f32_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f32_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f32_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f32_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_sat_f32_u(big)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f32_u(big)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f32_u(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(m2p31)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(m2p31)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f32_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f32_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f32_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f32_u(m1)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(m1)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f32_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f32_u(m2p63)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f32_u(m2p63)'() -> (i64:0)
;;   invoke 'i64.trunc_f64_s(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_s(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f64_s(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f64_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_f64_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_f64_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f64_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f64_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f64_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f64_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_f64_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_f64_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f64_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f64_s(2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_s(2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f64_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f64_s(m2p31m1)'() -> (i64:-2147483649)
;;   invoke 'i64.trunc_f64_s(m2p31m1)'() -> (i64:-2147483649)
;;   invoke 'i64.trunc_sat_f64_s(big)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f64_s(big)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f64_s(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_s(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_sat_f64_s(m2p31)'() -> (i64:-2147483648)
;;   invoke 'i64.trunc_sat_f64_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f64_s(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f64_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f64_s(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f64_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f64_s(m1)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f64_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_s(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_s(2p63)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f64_s(2p63)'() -> (i64:9223372036854775807)
;;   invoke 'i64.trunc_sat_f64_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f64_s(m2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f64_s(m2p31m1)'() -> (i64:-2147483649)
;;   invoke 'i64.trunc_sat_f64_s(m2p31m1)'() -> (i64:-2147483649)
;;   invoke 'i64.trunc_f64_u(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(big)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f64_u(nan)'() -> trap: invalid conversion to integer
;;   invoke 'i64.trunc_f64_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(m2p31)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f64_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_f64_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f64_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_f64_u(m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f64_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_f64_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f64_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_f64_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(m2p63)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_f64_u(m2p31m1)'() -> trap: integer overflow
;;   invoke 'i64.trunc_sat_f64_u(big)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f64_u(big)'() -> (i64:-1)
;;   invoke 'i64.trunc_sat_f64_u(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(nan)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m2p31)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m2p31)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f64_u(2p31)'() -> (i64:2147483648)
;;   invoke 'i64.trunc_sat_f64_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f64_u(2p32)'() -> (i64:4294967296)
;;   invoke 'i64.trunc_sat_f64_u(m1)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m1)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(mhalf)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f64_u(2p63)'() -> (i64:-9223372036854775808)
;;   invoke 'i64.trunc_sat_f64_u(m2p63)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m2p63)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m2p31m1)'() -> (i64:0)
;;   invoke 'i64.trunc_sat_f64_u(m2p31m1)'() -> (i64:0)
;; nans: any
;; opt: 2
;; status: fixed
;; Fixed by: the operand goes through WASMC_OPAQUE before the builtin (runtime/wasmc_numeric.h, WASMC_FAST_S32 and kin)
(module
  (func (export "i32.trunc_f32_s(big)") (result i32) (i32.trunc_f32_s (f32.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_f32_s(nan)") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "i32.trunc_f32_s(m2p31)") (result i32) (i32.trunc_f32_s (f32.const -0x1p31)))
  (func (export "i32.trunc_f32_s(2p31)") (result i32) (i32.trunc_f32_s (f32.const 0x1p31)))
  (func (export "i32.trunc_f32_s(2p32)") (result i32) (i32.trunc_f32_s (f32.const 0x1p32)))
  (func (export "i32.trunc_f32_s(m1)") (result i32) (i32.trunc_f32_s (f32.const -1.0)))
  (func (export "i32.trunc_f32_s(mhalf)") (result i32) (i32.trunc_f32_s (f32.const -0x1.8p-1)))
  (func (export "i32.trunc_f32_s(2p63)") (result i32) (i32.trunc_f32_s (f32.const 0x1p63)))
  (func (export "i32.trunc_f32_s(m2p63)") (result i32) (i32.trunc_f32_s (f32.const -0x1p63)))
  (func (export "i32.trunc_sat_f32_s(big)") (result i32) (i32.trunc_sat_f32_s (f32.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_sat_f32_s(nan)") (result i32) (i32.trunc_sat_f32_s (f32.const nan)))
  (func (export "i32.trunc_sat_f32_s(m2p31)") (result i32) (i32.trunc_sat_f32_s (f32.const -0x1p31)))
  (func (export "i32.trunc_sat_f32_s(2p31)") (result i32) (i32.trunc_sat_f32_s (f32.const 0x1p31)))
  (func (export "i32.trunc_sat_f32_s(2p32)") (result i32) (i32.trunc_sat_f32_s (f32.const 0x1p32)))
  (func (export "i32.trunc_sat_f32_s(m1)") (result i32) (i32.trunc_sat_f32_s (f32.const -1.0)))
  (func (export "i32.trunc_sat_f32_s(mhalf)") (result i32) (i32.trunc_sat_f32_s (f32.const -0x1.8p-1)))
  (func (export "i32.trunc_sat_f32_s(2p63)") (result i32) (i32.trunc_sat_f32_s (f32.const 0x1p63)))
  (func (export "i32.trunc_sat_f32_s(m2p63)") (result i32) (i32.trunc_sat_f32_s (f32.const -0x1p63)))
  (func (export "i32.trunc_f32_u(big)") (result i32) (i32.trunc_f32_u (f32.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_f32_u(nan)") (result i32) (i32.trunc_f32_u (f32.const nan)))
  (func (export "i32.trunc_f32_u(m2p31)") (result i32) (i32.trunc_f32_u (f32.const -0x1p31)))
  (func (export "i32.trunc_f32_u(2p31)") (result i32) (i32.trunc_f32_u (f32.const 0x1p31)))
  (func (export "i32.trunc_f32_u(2p32)") (result i32) (i32.trunc_f32_u (f32.const 0x1p32)))
  (func (export "i32.trunc_f32_u(m1)") (result i32) (i32.trunc_f32_u (f32.const -1.0)))
  (func (export "i32.trunc_f32_u(mhalf)") (result i32) (i32.trunc_f32_u (f32.const -0x1.8p-1)))
  (func (export "i32.trunc_f32_u(2p63)") (result i32) (i32.trunc_f32_u (f32.const 0x1p63)))
  (func (export "i32.trunc_f32_u(m2p63)") (result i32) (i32.trunc_f32_u (f32.const -0x1p63)))
  (func (export "i32.trunc_sat_f32_u(big)") (result i32) (i32.trunc_sat_f32_u (f32.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_sat_f32_u(nan)") (result i32) (i32.trunc_sat_f32_u (f32.const nan)))
  (func (export "i32.trunc_sat_f32_u(m2p31)") (result i32) (i32.trunc_sat_f32_u (f32.const -0x1p31)))
  (func (export "i32.trunc_sat_f32_u(2p31)") (result i32) (i32.trunc_sat_f32_u (f32.const 0x1p31)))
  (func (export "i32.trunc_sat_f32_u(2p32)") (result i32) (i32.trunc_sat_f32_u (f32.const 0x1p32)))
  (func (export "i32.trunc_sat_f32_u(m1)") (result i32) (i32.trunc_sat_f32_u (f32.const -1.0)))
  (func (export "i32.trunc_sat_f32_u(mhalf)") (result i32) (i32.trunc_sat_f32_u (f32.const -0x1.8p-1)))
  (func (export "i32.trunc_sat_f32_u(2p63)") (result i32) (i32.trunc_sat_f32_u (f32.const 0x1p63)))
  (func (export "i32.trunc_sat_f32_u(m2p63)") (result i32) (i32.trunc_sat_f32_u (f32.const -0x1p63)))
  (func (export "i32.trunc_f64_s(big)") (result i32) (i32.trunc_f64_s (f64.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_f64_s(nan)") (result i32) (i32.trunc_f64_s (f64.const nan)))
  (func (export "i32.trunc_f64_s(m2p31)") (result i32) (i32.trunc_f64_s (f64.const -0x1p31)))
  (func (export "i32.trunc_f64_s(2p31)") (result i32) (i32.trunc_f64_s (f64.const 0x1p31)))
  (func (export "i32.trunc_f64_s(2p32)") (result i32) (i32.trunc_f64_s (f64.const 0x1p32)))
  (func (export "i32.trunc_f64_s(m1)") (result i32) (i32.trunc_f64_s (f64.const -1.0)))
  (func (export "i32.trunc_f64_s(mhalf)") (result i32) (i32.trunc_f64_s (f64.const -0x1.8p-1)))
  (func (export "i32.trunc_f64_s(2p63)") (result i32) (i32.trunc_f64_s (f64.const 0x1p63)))
  (func (export "i32.trunc_f64_s(m2p63)") (result i32) (i32.trunc_f64_s (f64.const -0x1p63)))
  (func (export "i32.trunc_f64_s(m2p31m1)") (result i32) (i32.trunc_f64_s (f64.const -0x1.00000002p31)))
  (func (export "i32.trunc_sat_f64_s(big)") (result i32) (i32.trunc_sat_f64_s (f64.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_sat_f64_s(nan)") (result i32) (i32.trunc_sat_f64_s (f64.const nan)))
  (func (export "i32.trunc_sat_f64_s(m2p31)") (result i32) (i32.trunc_sat_f64_s (f64.const -0x1p31)))
  (func (export "i32.trunc_sat_f64_s(2p31)") (result i32) (i32.trunc_sat_f64_s (f64.const 0x1p31)))
  (func (export "i32.trunc_sat_f64_s(2p32)") (result i32) (i32.trunc_sat_f64_s (f64.const 0x1p32)))
  (func (export "i32.trunc_sat_f64_s(m1)") (result i32) (i32.trunc_sat_f64_s (f64.const -1.0)))
  (func (export "i32.trunc_sat_f64_s(mhalf)") (result i32) (i32.trunc_sat_f64_s (f64.const -0x1.8p-1)))
  (func (export "i32.trunc_sat_f64_s(2p63)") (result i32) (i32.trunc_sat_f64_s (f64.const 0x1p63)))
  (func (export "i32.trunc_sat_f64_s(m2p63)") (result i32) (i32.trunc_sat_f64_s (f64.const -0x1p63)))
  (func (export "i32.trunc_sat_f64_s(m2p31m1)") (result i32) (i32.trunc_sat_f64_s (f64.const -0x1.00000002p31)))
  (func (export "i32.trunc_f64_u(big)") (result i32) (i32.trunc_f64_u (f64.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_f64_u(nan)") (result i32) (i32.trunc_f64_u (f64.const nan)))
  (func (export "i32.trunc_f64_u(m2p31)") (result i32) (i32.trunc_f64_u (f64.const -0x1p31)))
  (func (export "i32.trunc_f64_u(2p31)") (result i32) (i32.trunc_f64_u (f64.const 0x1p31)))
  (func (export "i32.trunc_f64_u(2p32)") (result i32) (i32.trunc_f64_u (f64.const 0x1p32)))
  (func (export "i32.trunc_f64_u(m1)") (result i32) (i32.trunc_f64_u (f64.const -1.0)))
  (func (export "i32.trunc_f64_u(mhalf)") (result i32) (i32.trunc_f64_u (f64.const -0x1.8p-1)))
  (func (export "i32.trunc_f64_u(2p63)") (result i32) (i32.trunc_f64_u (f64.const 0x1p63)))
  (func (export "i32.trunc_f64_u(m2p63)") (result i32) (i32.trunc_f64_u (f64.const -0x1p63)))
  (func (export "i32.trunc_f64_u(m2p31m1)") (result i32) (i32.trunc_f64_u (f64.const -0x1.00000002p31)))
  (func (export "i32.trunc_sat_f64_u(big)") (result i32) (i32.trunc_sat_f64_u (f64.const 0x1.c0d3bcp+114)))
  (func (export "i32.trunc_sat_f64_u(nan)") (result i32) (i32.trunc_sat_f64_u (f64.const nan)))
  (func (export "i32.trunc_sat_f64_u(m2p31)") (result i32) (i32.trunc_sat_f64_u (f64.const -0x1p31)))
  (func (export "i32.trunc_sat_f64_u(2p31)") (result i32) (i32.trunc_sat_f64_u (f64.const 0x1p31)))
  (func (export "i32.trunc_sat_f64_u(2p32)") (result i32) (i32.trunc_sat_f64_u (f64.const 0x1p32)))
  (func (export "i32.trunc_sat_f64_u(m1)") (result i32) (i32.trunc_sat_f64_u (f64.const -1.0)))
  (func (export "i32.trunc_sat_f64_u(mhalf)") (result i32) (i32.trunc_sat_f64_u (f64.const -0x1.8p-1)))
  (func (export "i32.trunc_sat_f64_u(2p63)") (result i32) (i32.trunc_sat_f64_u (f64.const 0x1p63)))
  (func (export "i32.trunc_sat_f64_u(m2p63)") (result i32) (i32.trunc_sat_f64_u (f64.const -0x1p63)))
  (func (export "i32.trunc_sat_f64_u(m2p31m1)") (result i32) (i32.trunc_sat_f64_u (f64.const -0x1.00000002p31)))
  (func (export "i64.trunc_f32_s(big)") (result i64) (i64.trunc_f32_s (f32.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_f32_s(nan)") (result i64) (i64.trunc_f32_s (f32.const nan)))
  (func (export "i64.trunc_f32_s(m2p31)") (result i64) (i64.trunc_f32_s (f32.const -0x1p31)))
  (func (export "i64.trunc_f32_s(2p31)") (result i64) (i64.trunc_f32_s (f32.const 0x1p31)))
  (func (export "i64.trunc_f32_s(2p32)") (result i64) (i64.trunc_f32_s (f32.const 0x1p32)))
  (func (export "i64.trunc_f32_s(m1)") (result i64) (i64.trunc_f32_s (f32.const -1.0)))
  (func (export "i64.trunc_f32_s(mhalf)") (result i64) (i64.trunc_f32_s (f32.const -0x1.8p-1)))
  (func (export "i64.trunc_f32_s(2p63)") (result i64) (i64.trunc_f32_s (f32.const 0x1p63)))
  (func (export "i64.trunc_f32_s(m2p63)") (result i64) (i64.trunc_f32_s (f32.const -0x1p63)))
  (func (export "i64.trunc_sat_f32_s(big)") (result i64) (i64.trunc_sat_f32_s (f32.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_sat_f32_s(nan)") (result i64) (i64.trunc_sat_f32_s (f32.const nan)))
  (func (export "i64.trunc_sat_f32_s(m2p31)") (result i64) (i64.trunc_sat_f32_s (f32.const -0x1p31)))
  (func (export "i64.trunc_sat_f32_s(2p31)") (result i64) (i64.trunc_sat_f32_s (f32.const 0x1p31)))
  (func (export "i64.trunc_sat_f32_s(2p32)") (result i64) (i64.trunc_sat_f32_s (f32.const 0x1p32)))
  (func (export "i64.trunc_sat_f32_s(m1)") (result i64) (i64.trunc_sat_f32_s (f32.const -1.0)))
  (func (export "i64.trunc_sat_f32_s(mhalf)") (result i64) (i64.trunc_sat_f32_s (f32.const -0x1.8p-1)))
  (func (export "i64.trunc_sat_f32_s(2p63)") (result i64) (i64.trunc_sat_f32_s (f32.const 0x1p63)))
  (func (export "i64.trunc_sat_f32_s(m2p63)") (result i64) (i64.trunc_sat_f32_s (f32.const -0x1p63)))
  (func (export "i64.trunc_f32_u(big)") (result i64) (i64.trunc_f32_u (f32.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_f32_u(nan)") (result i64) (i64.trunc_f32_u (f32.const nan)))
  (func (export "i64.trunc_f32_u(m2p31)") (result i64) (i64.trunc_f32_u (f32.const -0x1p31)))
  (func (export "i64.trunc_f32_u(2p31)") (result i64) (i64.trunc_f32_u (f32.const 0x1p31)))
  (func (export "i64.trunc_f32_u(2p32)") (result i64) (i64.trunc_f32_u (f32.const 0x1p32)))
  (func (export "i64.trunc_f32_u(m1)") (result i64) (i64.trunc_f32_u (f32.const -1.0)))
  (func (export "i64.trunc_f32_u(mhalf)") (result i64) (i64.trunc_f32_u (f32.const -0x1.8p-1)))
  (func (export "i64.trunc_f32_u(2p63)") (result i64) (i64.trunc_f32_u (f32.const 0x1p63)))
  (func (export "i64.trunc_f32_u(m2p63)") (result i64) (i64.trunc_f32_u (f32.const -0x1p63)))
  (func (export "i64.trunc_sat_f32_u(big)") (result i64) (i64.trunc_sat_f32_u (f32.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_sat_f32_u(nan)") (result i64) (i64.trunc_sat_f32_u (f32.const nan)))
  (func (export "i64.trunc_sat_f32_u(m2p31)") (result i64) (i64.trunc_sat_f32_u (f32.const -0x1p31)))
  (func (export "i64.trunc_sat_f32_u(2p31)") (result i64) (i64.trunc_sat_f32_u (f32.const 0x1p31)))
  (func (export "i64.trunc_sat_f32_u(2p32)") (result i64) (i64.trunc_sat_f32_u (f32.const 0x1p32)))
  (func (export "i64.trunc_sat_f32_u(m1)") (result i64) (i64.trunc_sat_f32_u (f32.const -1.0)))
  (func (export "i64.trunc_sat_f32_u(mhalf)") (result i64) (i64.trunc_sat_f32_u (f32.const -0x1.8p-1)))
  (func (export "i64.trunc_sat_f32_u(2p63)") (result i64) (i64.trunc_sat_f32_u (f32.const 0x1p63)))
  (func (export "i64.trunc_sat_f32_u(m2p63)") (result i64) (i64.trunc_sat_f32_u (f32.const -0x1p63)))
  (func (export "i64.trunc_f64_s(big)") (result i64) (i64.trunc_f64_s (f64.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_f64_s(nan)") (result i64) (i64.trunc_f64_s (f64.const nan)))
  (func (export "i64.trunc_f64_s(m2p31)") (result i64) (i64.trunc_f64_s (f64.const -0x1p31)))
  (func (export "i64.trunc_f64_s(2p31)") (result i64) (i64.trunc_f64_s (f64.const 0x1p31)))
  (func (export "i64.trunc_f64_s(2p32)") (result i64) (i64.trunc_f64_s (f64.const 0x1p32)))
  (func (export "i64.trunc_f64_s(m1)") (result i64) (i64.trunc_f64_s (f64.const -1.0)))
  (func (export "i64.trunc_f64_s(mhalf)") (result i64) (i64.trunc_f64_s (f64.const -0x1.8p-1)))
  (func (export "i64.trunc_f64_s(2p63)") (result i64) (i64.trunc_f64_s (f64.const 0x1p63)))
  (func (export "i64.trunc_f64_s(m2p63)") (result i64) (i64.trunc_f64_s (f64.const -0x1p63)))
  (func (export "i64.trunc_f64_s(m2p31m1)") (result i64) (i64.trunc_f64_s (f64.const -0x1.00000002p31)))
  (func (export "i64.trunc_sat_f64_s(big)") (result i64) (i64.trunc_sat_f64_s (f64.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_sat_f64_s(nan)") (result i64) (i64.trunc_sat_f64_s (f64.const nan)))
  (func (export "i64.trunc_sat_f64_s(m2p31)") (result i64) (i64.trunc_sat_f64_s (f64.const -0x1p31)))
  (func (export "i64.trunc_sat_f64_s(2p31)") (result i64) (i64.trunc_sat_f64_s (f64.const 0x1p31)))
  (func (export "i64.trunc_sat_f64_s(2p32)") (result i64) (i64.trunc_sat_f64_s (f64.const 0x1p32)))
  (func (export "i64.trunc_sat_f64_s(m1)") (result i64) (i64.trunc_sat_f64_s (f64.const -1.0)))
  (func (export "i64.trunc_sat_f64_s(mhalf)") (result i64) (i64.trunc_sat_f64_s (f64.const -0x1.8p-1)))
  (func (export "i64.trunc_sat_f64_s(2p63)") (result i64) (i64.trunc_sat_f64_s (f64.const 0x1p63)))
  (func (export "i64.trunc_sat_f64_s(m2p63)") (result i64) (i64.trunc_sat_f64_s (f64.const -0x1p63)))
  (func (export "i64.trunc_sat_f64_s(m2p31m1)") (result i64) (i64.trunc_sat_f64_s (f64.const -0x1.00000002p31)))
  (func (export "i64.trunc_f64_u(big)") (result i64) (i64.trunc_f64_u (f64.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_f64_u(nan)") (result i64) (i64.trunc_f64_u (f64.const nan)))
  (func (export "i64.trunc_f64_u(m2p31)") (result i64) (i64.trunc_f64_u (f64.const -0x1p31)))
  (func (export "i64.trunc_f64_u(2p31)") (result i64) (i64.trunc_f64_u (f64.const 0x1p31)))
  (func (export "i64.trunc_f64_u(2p32)") (result i64) (i64.trunc_f64_u (f64.const 0x1p32)))
  (func (export "i64.trunc_f64_u(m1)") (result i64) (i64.trunc_f64_u (f64.const -1.0)))
  (func (export "i64.trunc_f64_u(mhalf)") (result i64) (i64.trunc_f64_u (f64.const -0x1.8p-1)))
  (func (export "i64.trunc_f64_u(2p63)") (result i64) (i64.trunc_f64_u (f64.const 0x1p63)))
  (func (export "i64.trunc_f64_u(m2p63)") (result i64) (i64.trunc_f64_u (f64.const -0x1p63)))
  (func (export "i64.trunc_f64_u(m2p31m1)") (result i64) (i64.trunc_f64_u (f64.const -0x1.00000002p31)))
  (func (export "i64.trunc_sat_f64_u(big)") (result i64) (i64.trunc_sat_f64_u (f64.const 0x1.c0d3bcp+114)))
  (func (export "i64.trunc_sat_f64_u(nan)") (result i64) (i64.trunc_sat_f64_u (f64.const nan)))
  (func (export "i64.trunc_sat_f64_u(m2p31)") (result i64) (i64.trunc_sat_f64_u (f64.const -0x1p31)))
  (func (export "i64.trunc_sat_f64_u(2p31)") (result i64) (i64.trunc_sat_f64_u (f64.const 0x1p31)))
  (func (export "i64.trunc_sat_f64_u(2p32)") (result i64) (i64.trunc_sat_f64_u (f64.const 0x1p32)))
  (func (export "i64.trunc_sat_f64_u(m1)") (result i64) (i64.trunc_sat_f64_u (f64.const -1.0)))
  (func (export "i64.trunc_sat_f64_u(mhalf)") (result i64) (i64.trunc_sat_f64_u (f64.const -0x1.8p-1)))
  (func (export "i64.trunc_sat_f64_u(2p63)") (result i64) (i64.trunc_sat_f64_u (f64.const 0x1p63)))
  (func (export "i64.trunc_sat_f64_u(m2p63)") (result i64) (i64.trunc_sat_f64_u (f64.const -0x1p63)))
  (func (export "i64.trunc_sat_f64_u(m2p31m1)") (result i64) (i64.trunc_sat_f64_u (f64.const -0x1.00000002p31)))
)
