;; At -O1/-O2 a signalling NaN is not quieted by x - c, x * c when c is a constant expression the C compiler folds to -0.0 or 1.0 (f32.trunc of a tiny negative, f32.convert_i32_s of 1): clang folds the operation into a negation or into x; Wasm requires an arithmetic (quiet) NaN
;; Found by: python scripts/fuzz.py diff --count 3000 --seed 2 -O 2 (module 2:2403, a NaN-sign difference reduced with fuzz.py reduce; the signalling case by hand)
;; wasmc (when found): mismatch: result
;; wasmc (when found): 'sub-from-trunc-neg-zero'(): wasmtime (i32:2143289344), wasmc (i32:2139095040)
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'sub-from-trunc-neg-zero'() -> (i32:2143289344)
;;   invoke 'sub-from-trunc-neg-zero'() -> (i32:2143289344)
;;   invoke 'mul-by-converted-one'() -> (i32:2143289344)
;;   invoke 'mul-by-converted-one'() -> (i32:2143289344)
;;   invoke 'add-neg-zero'() -> (i32:2143289344)
;;   invoke 'add-neg-zero'() -> (i32:2143289344)
;;   invoke 'div-by-neg-one'() -> (i32:2143289344)
;;   invoke 'div-by-neg-one'() -> (i32:2143289344)
;;   invoke 'f64-sub-from-floor-neg-zero'() -> (i64:9221120237041090560)
;;   invoke 'f64-sub-from-floor-neg-zero'() -> (i64:9221120237041090560)
;; nans: exact
;; opt: 2
;; status: fixed
;; Fixed by: compiling with -ffp-exception-behavior=maytrap (clang) and -fsignaling-nans (GCC), see SNAN_FLAGS in src/wasmc/toolchain.py; GCC had the same bug
(module
  ;; a signalling NaN the C compiler cannot see
  (global $snan (mut f32) (f32.const nan:0x200000))
  (global $snan64 (mut f64) (f64.const nan:0x4000000000000))
  ;; Each export computes an arithmetic operation that must quiet a signalling NaN operand,
  ;; with its other operand a constant expression the C compiler folds to -0.0, 1.0 or -1.0,
  ;; and returns the result's quiet bit and exponent: 0x7fc00000 (quiet) is right, 0x7f800000
  ;; (still signalling) is not.
  (func (export "sub-from-trunc-neg-zero") (result i32)
    (i32.and (i32.reinterpret_f32
               (f32.sub (f32.trunc (f32.const -0x1p-80)) (global.get $snan)))
             (i32.const 0x7fc00000)))
  (func (export "mul-by-converted-one") (result i32)
    (i32.and (i32.reinterpret_f32
               (f32.mul (global.get $snan) (f32.convert_i32_s (i32.const 1))))
             (i32.const 0x7fc00000)))
  (func (export "add-neg-zero") (result i32)
    (i32.and (i32.reinterpret_f32
               (f32.add (global.get $snan) (f32.neg (f32.const 0))))
             (i32.const 0x7fc00000)))
  (func (export "div-by-neg-one") (result i32)
    (i32.and (i32.reinterpret_f32
               (f32.div (global.get $snan) (f32.neg (f32.const 1))))
             (i32.const 0x7fc00000)))
  (func (export "f64-sub-from-floor-neg-zero") (result i64)
    (i64.and (i64.reinterpret_f64
               (f64.sub (f64.floor (f64.const -0x0p+0)) (global.get $snan64)))
             (i64.const 0x7ff8000000000000))))
