;; Row kernels of the logistic probe (src/senses/probe.ts) over a row-major float64 matrix,
;; in WebAssembly SIMD (f64x2). Each computes exactly what the plain JavaScript loop it replaces
;; computes, bit for bit: the same products and sums in the same order, rounded the same way
;; (WebAssembly, like JavaScript, never fuses a multiply and an add). The dot product keeps the
;; JavaScript version's four running sums s0..s3 (element j goes to s(j mod 4)) as two lanes of two
;; vectors, adds the tail to s0, and returns bias + ((s0 + s1) + (s2 + s3)).
;;
;; Arguments are byte offsets into the module's memory: `data` the matrix (`d` columns), `rows`
;; a list of `count` int32 row numbers (visited in that order; the k-th listed row pairs with
;; element k of the per-row arrays), `v`/`out` vectors of d + 1 values (the last is the bias).
;; Assembled by src/linalg/build-kernels.ts into src/linalg/kernels-wasm.ts.
(module
  (memory (export "memory") 1)

  (func $dot (param $a i32) (param $v i32) (param $d i32) (result f64)
    (local $acc01 v128) (local $acc23 v128) (local $j i32) (local $end i32) (local $s0 f64) (local $offset i32)
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $acc01 (f64x2.add (local.get $acc01)
          (f64x2.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (v128.load (i32.add (local.get $v) (local.get $offset))))))
        (local.set $acc23 (f64x2.add (local.get $acc23)
          (f64x2.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $offset))) (v128.load offset=16 (i32.add (local.get $v) (local.get $offset))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc01)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $s0 (f64.add (local.get $s0)
          (f64.mul (f64.load (i32.add (local.get $a) (local.get $offset))) (f64.load (i32.add (local.get $v) (local.get $offset))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (f64.add
      (f64.load (i32.add (local.get $v) (i32.shl (local.get $d) (i32.const 3))))
      (f64.add
        (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc01)))
        (f64.add (f64x2.extract_lane 0 (local.get $acc23)) (f64x2.extract_lane 1 (local.get $acc23))))))

  ;; out[j] += a[j] * s for j < d; then out[d] += s.
  (func $axpy (param $a i32) (param $s f64) (param $out i32) (param $d i32)
    (local $j i32) (local $end i32) (local $scale v128) (local $at i32) (local $offset i32)
    (local.set $scale (f64x2.splat (local.get $s)))
    (local.set $end (i32.and (local.get $d) (i32.const -2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (v128.store (local.get $at)
          (f64x2.add (v128.load (local.get $at)) (f64x2.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $scale))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $next)))
    (if (i32.lt_u (local.get $j) (local.get $d))
      (then
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.mul (f64.load (i32.add (local.get $a) (local.get $offset))) (local.get $s))))))
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 3))))
    (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s))))

  ;; Start of the k-th listed row.
  (func $row (param $data i32) (param $rows i32) (param $k i32) (param $d i32) (result i32)
    (i32.add (local.get $data)
      (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))) (i32.shl (local.get $d) (i32.const 3)))))

  (func $at (param $array i32) (param $k i32) (result i32)
    (i32.add (local.get $array) (i32.shl (local.get $k) (i32.const 3))))

  ;; out[k] = v[d] + row_k . v[0..d)
  (func (export "dots") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $v i32) (param $out i32)
    (local $k i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (f64.store (call $at (local.get $out) (local.get $k))
          (call $dot (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)) (local.get $v) (local.get $d)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; out += sum over listed rows with r[k] != 0 of [row_k, 1] * r[k]
  (func (export "transposeTimes") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $r i32) (param $out i32)
    (local $k i32) (local $s f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $s (f64.load (call $at (local.get $r) (local.get $k))))
        (if (f64.ne (local.get $s) (f64.const 0))
          (then (call $axpy (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)) (local.get $s) (local.get $out) (local.get $d))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; out += sum over listed rows of [row_k, 1] * s_k with s_k = (row_k . v + v[d]) * w[k], skipping s_k = 0
  (func (export "hessianTimes") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $v i32) (param $w i32) (param $out i32)
    (local $k i32) (local $s f64) (local $start i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $start (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $s (f64.mul (call $dot (local.get $start) (local.get $v) (local.get $d)) (f64.load (call $at (local.get $w) (local.get $k)))))
        (if (f64.ne (local.get $s) (f64.const 0))
          (then (call $axpy (local.get $start) (local.get $s) (local.get $out) (local.get $d))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; out[j] += (w[k] * row_k[j]) * row_k[j] for j < d and out[d] += w[k], over the listed rows
  (func (export "weightedSquares") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $w i32) (param $out i32)
    (local $k i32) (local $j i32) (local $end i32) (local $weight f64) (local $weights v128) (local $start i32) (local $at i32) (local $offset i32) (local $x v128) (local $xs f64)
    (local.set $end (i32.and (local.get $d) (i32.const -2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $start (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $weight (f64.load (call $at (local.get $w) (local.get $k))))
        (local.set $weights (f64x2.splat (local.get $weight)))
        (local.set $j (i32.const 0))
        (block $columns
          (loop $column
            (br_if $columns (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (local.set $x (v128.load (i32.add (local.get $start) (local.get $offset))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.mul (f64x2.mul (local.get $weights) (local.get $x)) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $column)))
        (if (i32.lt_u (local.get $j) (local.get $d))
          (then
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (local.set $xs (f64.load (i32.add (local.get $start) (local.get $offset))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.mul (f64.mul (local.get $weight) (local.get $xs)) (local.get $xs))))))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $weight)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))
)
