;; Row kernels of the logistic probe (src/metrics/probe.ts) over a row-major float64 matrix (and
;; one pass over its float32 copy: hessianTimesSingle, with its own order of operations below),
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

;; The passes below take the listed rows four at a time (then one at a time for the rest): four
;; rows' dot products share the loads of v and run eight independent sums instead of two, and four
;; rows' updates of out read and write each out[j] once instead of four times. Each row's sums and
;; each out[j]'s additions keep exactly the one-row order ($dot, $axpy), so the values are the same.

  ;; $dot of four rows a, b, c, e with the same v: the four results, each exactly $dot's.
  (func $dot4 (param $a i32) (param $b i32) (param $c i32) (param $e i32) (param $v i32) (param $d i32) (result f64 f64 f64 f64)
    (local $a01 v128) (local $a23 v128) (local $b01 v128) (local $b23 v128)
    (local $c01 v128) (local $c23 v128) (local $e01 v128) (local $e23 v128)
    (local $v01 v128) (local $v23 v128) (local $j i32) (local $end i32) (local $offset i32)
    (local $sa f64) (local $sb f64) (local $sc f64) (local $se f64) (local $x f64) (local $bias f64)
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $v01 (v128.load (i32.add (local.get $v) (local.get $offset))))
        (local.set $v23 (v128.load offset=16 (i32.add (local.get $v) (local.get $offset))))
        (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $v01))))
        (local.set $a23 (f64x2.add (local.get $a23) (f64x2.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $offset))) (local.get $v23))))
        (local.set $b01 (f64x2.add (local.get $b01) (f64x2.mul (v128.load (i32.add (local.get $b) (local.get $offset))) (local.get $v01))))
        (local.set $b23 (f64x2.add (local.get $b23) (f64x2.mul (v128.load offset=16 (i32.add (local.get $b) (local.get $offset))) (local.get $v23))))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (v128.load (i32.add (local.get $c) (local.get $offset))) (local.get $v01))))
        (local.set $c23 (f64x2.add (local.get $c23) (f64x2.mul (v128.load offset=16 (i32.add (local.get $c) (local.get $offset))) (local.get $v23))))
        (local.set $e01 (f64x2.add (local.get $e01) (f64x2.mul (v128.load (i32.add (local.get $e) (local.get $offset))) (local.get $v01))))
        (local.set $e23 (f64x2.add (local.get $e23) (f64x2.mul (v128.load offset=16 (i32.add (local.get $e) (local.get $offset))) (local.get $v23))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (local.set $sa (f64x2.extract_lane 0 (local.get $a01)))
    (local.set $sb (f64x2.extract_lane 0 (local.get $b01)))
    (local.set $sc (f64x2.extract_lane 0 (local.get $c01)))
    (local.set $se (f64x2.extract_lane 0 (local.get $e01)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $x (f64.load (i32.add (local.get $v) (local.get $offset))))
        (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (i32.add (local.get $a) (local.get $offset))) (local.get $x))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (i32.add (local.get $b) (local.get $offset))) (local.get $x))))
        (local.set $sc (f64.add (local.get $sc) (f64.mul (f64.load (i32.add (local.get $c) (local.get $offset))) (local.get $x))))
        (local.set $se (f64.add (local.get $se) (f64.mul (f64.load (i32.add (local.get $e) (local.get $offset))) (local.get $x))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (local.set $bias (f64.load (i32.add (local.get $v) (i32.shl (local.get $d) (i32.const 3)))))
    (f64.add (local.get $bias)
      (f64.add (f64.add (local.get $sa) (f64x2.extract_lane 1 (local.get $a01)))
        (f64.add (f64x2.extract_lane 0 (local.get $a23)) (f64x2.extract_lane 1 (local.get $a23)))))
    (f64.add (local.get $bias)
      (f64.add (f64.add (local.get $sb) (f64x2.extract_lane 1 (local.get $b01)))
        (f64.add (f64x2.extract_lane 0 (local.get $b23)) (f64x2.extract_lane 1 (local.get $b23)))))
    (f64.add (local.get $bias)
      (f64.add (f64.add (local.get $sc) (f64x2.extract_lane 1 (local.get $c01)))
        (f64.add (f64x2.extract_lane 0 (local.get $c23)) (f64x2.extract_lane 1 (local.get $c23)))))
    (f64.add (local.get $bias)
      (f64.add (f64.add (local.get $se) (f64x2.extract_lane 1 (local.get $e01)))
        (f64.add (f64x2.extract_lane 0 (local.get $e23)) (f64x2.extract_lane 1 (local.get $e23))))))

  ;; $axpy of rows a, b, c, e with scales sa, sb, sc, se, in that order, in one pass over out:
  ;; out[j] = (((out[j] + a[j] sa) + b[j] sb) + c[j] sc) + e[j] se, then out[d] the same way with 1s.
  (func $axpy4 (param $a i32) (param $b i32) (param $c i32) (param $e i32)
    (param $sa f64) (param $sb f64) (param $sc f64) (param $se f64) (param $out i32) (param $d i32)
    (local $j i32) (local $end i32) (local $at i32) (local $offset i32)
    (local $ka v128) (local $kb v128) (local $kc v128) (local $ke v128)
    (local.set $ka (f64x2.splat (local.get $sa)))
    (local.set $kb (f64x2.splat (local.get $sb)))
    (local.set $kc (f64x2.splat (local.get $sc)))
    (local.set $ke (f64x2.splat (local.get $se)))
    (local.set $end (i32.and (local.get $d) (i32.const -2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (v128.store (local.get $at)
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.add (v128.load (local.get $at)) (f64x2.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $ka)))
                (f64x2.mul (v128.load (i32.add (local.get $b) (local.get $offset))) (local.get $kb)))
              (f64x2.mul (v128.load (i32.add (local.get $c) (local.get $offset))) (local.get $kc)))
            (f64x2.mul (v128.load (i32.add (local.get $e) (local.get $offset))) (local.get $ke))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $next)))
    (if (i32.lt_u (local.get $j) (local.get $d))
      (then
        (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (f64.store (local.get $at)
          (f64.add
            (f64.add
              (f64.add
                (f64.add (f64.load (local.get $at)) (f64.mul (f64.load (i32.add (local.get $a) (local.get $offset))) (local.get $sa)))
                (f64.mul (f64.load (i32.add (local.get $b) (local.get $offset))) (local.get $sb)))
              (f64.mul (f64.load (i32.add (local.get $c) (local.get $offset))) (local.get $sc)))
            (f64.mul (f64.load (i32.add (local.get $e) (local.get $offset))) (local.get $se))))))
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 3))))
    (f64.store (local.get $at)
      (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $at)) (local.get $sa)) (local.get $sb)) (local.get $sc)) (local.get $se))))

  ;; Four rows' $axpy, skipping each row whose scale is 0 (as the one-row passes do): one pass over
  ;; out when none is 0, else the rows one at a time, in order.
  (func $axpy4Nonzero (param $a i32) (param $b i32) (param $c i32) (param $e i32)
    (param $sa f64) (param $sb f64) (param $sc f64) (param $se f64) (param $out i32) (param $d i32)
    (if (i32.and
          (i32.and (f64.ne (local.get $sa) (f64.const 0)) (f64.ne (local.get $sb) (f64.const 0)))
          (i32.and (f64.ne (local.get $sc) (f64.const 0)) (f64.ne (local.get $se) (f64.const 0))))
      (then (call $axpy4 (local.get $a) (local.get $b) (local.get $c) (local.get $e)
        (local.get $sa) (local.get $sb) (local.get $sc) (local.get $se) (local.get $out) (local.get $d)))
      (else
        (if (f64.ne (local.get $sa) (f64.const 0)) (then (call $axpy (local.get $a) (local.get $sa) (local.get $out) (local.get $d))))
        (if (f64.ne (local.get $sb) (f64.const 0)) (then (call $axpy (local.get $b) (local.get $sb) (local.get $out) (local.get $d))))
        (if (f64.ne (local.get $sc) (f64.const 0)) (then (call $axpy (local.get $c) (local.get $sc) (local.get $out) (local.get $d))))
        (if (f64.ne (local.get $se) (f64.const 0)) (then (call $axpy (local.get $e) (local.get $se) (local.get $out) (local.get $d)))))))

  ;; out[k] = v[d] + row_k . v[0..d)
  (func $dots (export "dots") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $v i32) (param $out i32)
    (local $k i32) (local $end i32) (local $r0 f64) (local $r1 f64) (local $r2 f64) (local $r3 f64)
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (call $dot4
          (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 1)) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 2)) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 3)) (local.get $d))
          (local.get $v) (local.get $d))
        (local.set $r3) (local.set $r2) (local.set $r1) (local.set $r0)
        (f64.store (call $at (local.get $out) (local.get $k)) (local.get $r0))
        (f64.store offset=8 (call $at (local.get $out) (local.get $k)) (local.get $r1))
        (f64.store offset=16 (call $at (local.get $out) (local.get $k)) (local.get $r2))
        (f64.store offset=24 (call $at (local.get $out) (local.get $k)) (local.get $r3))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (f64.store (call $at (local.get $out) (local.get $k))
          (call $dot (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)) (local.get $v) (local.get $d)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; out += sum over listed rows with r[k] != 0 of [row_k, 1] * r[k]
  (func $transposeTimes (export "transposeTimes") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $r i32) (param $out i32)
    (local $k i32) (local $s f64) (local $end i32)
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (call $axpy4Nonzero
          (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 1)) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 2)) (local.get $d))
          (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 3)) (local.get $d))
          (f64.load (call $at (local.get $r) (local.get $k)))
          (f64.load offset=8 (call $at (local.get $r) (local.get $k)))
          (f64.load offset=16 (call $at (local.get $r) (local.get $k)))
          (f64.load offset=24 (call $at (local.get $r) (local.get $k)))
          (local.get $out) (local.get $d))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $s (f64.load (call $at (local.get $r) (local.get $k))))
        (if (f64.ne (local.get $s) (f64.const 0))
          (then (call $axpy (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)) (local.get $s) (local.get $out) (local.get $d))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; out += sum over listed rows of [row_k, 1] * s_k with s_k = (row_k . v + v[d]) * w[k], skipping s_k = 0
  (func $hessianTimes (export "hessianTimes") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $v i32) (param $w i32) (param $out i32)
    (local $k i32) (local $s f64) (local $start i32) (local $end i32)
    (local $a i32) (local $b i32) (local $c i32) (local $e i32)
    (local $da f64) (local $db f64) (local $dc f64) (local $de f64)
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $a (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $b (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 1)) (local.get $d)))
        (local.set $c (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
        (local.set $e (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 3)) (local.get $d)))
        (call $dot4 (local.get $a) (local.get $b) (local.get $c) (local.get $e) (local.get $v) (local.get $d))
        (local.set $de) (local.set $dc) (local.set $db) (local.set $da)
        (call $axpy4Nonzero (local.get $a) (local.get $b) (local.get $c) (local.get $e)
          (f64.mul (local.get $da) (f64.load (call $at (local.get $w) (local.get $k))))
          (f64.mul (local.get $db) (f64.load offset=8 (call $at (local.get $w) (local.get $k))))
          (f64.mul (local.get $dc) (f64.load offset=16 (call $at (local.get $w) (local.get $k))))
          (f64.mul (local.get $de) (f64.load offset=24 (call $at (local.get $w) (local.get $k))))
          (local.get $out) (local.get $d))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
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
  ;; (four rows per pass over out, each row's term added in list order)
  (func $weightedSquares (export "weightedSquares") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $w i32) (param $out i32)
    (local $k i32) (local $j i32) (local $end i32) (local $columns i32) (local $at i32) (local $offset i32)
    (local $a i32) (local $b i32) (local $c i32) (local $e i32)
    (local $wa f64) (local $wb f64) (local $wc f64) (local $we f64)
    (local $ka v128) (local $kb v128) (local $kc v128) (local $ke v128)
    (local $x v128) (local $y v128) (local $z v128) (local $u v128) (local $xs f64)
    (local.set $columns (i32.and (local.get $d) (i32.const -2)))
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $a (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $b (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 1)) (local.get $d)))
        (local.set $c (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
        (local.set $e (call $row (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 3)) (local.get $d)))
        (local.set $wa (f64.load (call $at (local.get $w) (local.get $k))))
        (local.set $wb (f64.load offset=8 (call $at (local.get $w) (local.get $k))))
        (local.set $wc (f64.load offset=16 (call $at (local.get $w) (local.get $k))))
        (local.set $we (f64.load offset=24 (call $at (local.get $w) (local.get $k))))
        (local.set $ka (f64x2.splat (local.get $wa)))
        (local.set $kb (f64x2.splat (local.get $wb)))
        (local.set $kc (f64x2.splat (local.get $wc)))
        (local.set $ke (f64x2.splat (local.get $we)))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $columns)))
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (local.set $x (v128.load (i32.add (local.get $a) (local.get $offset))))
            (local.set $y (v128.load (i32.add (local.get $b) (local.get $offset))))
            (local.set $z (v128.load (i32.add (local.get $c) (local.get $offset))))
            (local.set $u (v128.load (i32.add (local.get $e) (local.get $offset))))
            (v128.store (local.get $at)
              (f64x2.add
                (f64x2.add
                  (f64x2.add
                    (f64x2.add (v128.load (local.get $at)) (f64x2.mul (f64x2.mul (local.get $ka) (local.get $x)) (local.get $x)))
                    (f64x2.mul (f64x2.mul (local.get $kb) (local.get $y)) (local.get $y)))
                  (f64x2.mul (f64x2.mul (local.get $kc) (local.get $z)) (local.get $z)))
                (f64x2.mul (f64x2.mul (local.get $ke) (local.get $u)) (local.get $u))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $column)))
        (if (i32.lt_u (local.get $j) (local.get $d))
          (then
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (f64.store (local.get $at) (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $at))
              (f64.mul (f64.mul (local.get $wa) (local.tee $xs (f64.load (i32.add (local.get $a) (local.get $offset))))) (local.get $xs)))
              (f64.mul (f64.mul (local.get $wb) (local.tee $xs (f64.load (i32.add (local.get $b) (local.get $offset))))) (local.get $xs)))
              (f64.mul (f64.mul (local.get $wc) (local.tee $xs (f64.load (i32.add (local.get $c) (local.get $offset))))) (local.get $xs)))
              (f64.mul (f64.mul (local.get $we) (local.tee $xs (f64.load (i32.add (local.get $e) (local.get $offset))))) (local.get $xs))))))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 3))))
        (f64.store (local.get $at)
          (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $at)) (local.get $wa)) (local.get $wb)) (local.get $wc)) (local.get $we)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $a (call $row (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $wa (f64.load (call $at (local.get $w) (local.get $k))))
        (local.set $ka (f64x2.splat (local.get $wa)))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $columns)))
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (local.set $x (v128.load (i32.add (local.get $a) (local.get $offset))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.mul (f64x2.mul (local.get $ka) (local.get $x)) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $column)))
        (if (i32.lt_u (local.get $j) (local.get $d))
          (then
            (local.set $offset (i32.shl (local.get $j) (i32.const 3)))
            (local.set $at (i32.add (local.get $out) (local.get $offset)))
            (local.set $xs (f64.load (i32.add (local.get $a) (local.get $offset))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.mul (f64.mul (local.get $wa) (local.get $xs)) (local.get $xs))))))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $wa)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))
;; ---- Single-precision Hessian-vector products (the probe's cross-validation fits) ----
;; Over a float32 copy of the matrix (`data`: rows of d float32), with v and out float32 (d + 1
;; values) and w float64. For each listed row x, in list order: t = ((L0 + L1) + (L2 + L3)) + v[d],
;; where lane l of L sums x[j] v[j] over the j < d rounded down to 4 with j mod 4 = l, and the rest
;; is added to L0 in column order; s = t * w[k] (w[k] rounded to float32); then out[j] += x[j] s for
;; j < d and out[d] += s. Every operation is a float32 operation (WebAssembly never fuses them), so
;; a JavaScript loop with Math.fround after each reproduces it bit for bit
;; (test/linalg-kernels.test.ts). Four rows are taken at a time: their dot products share the loads
;; of v, and out[j] gets their four terms in list order in one read and write.

  ;; Start of the k-th listed row of a float32 matrix.
  (func $row32 (param $data i32) (param $rows i32) (param $k i32) (param $d i32) (result i32)
    (i32.add (local.get $data)
      (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))) (i32.shl (local.get $d) (i32.const 2)))))

  ;; t of one row (see above).
  (func $dot32 (param $a i32) (param $v i32) (param $d i32) (result f32)
    (local $acc v128) (local $j i32) (local $end i32) (local $s f32) (local $offset i32)
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (v128.load (i32.add (local.get $v) (local.get $offset))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (local.set $s (f32x4.extract_lane 0 (local.get $acc)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $s (f32.add (local.get $s)
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $offset))) (f32.load (i32.add (local.get $v) (local.get $offset))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (f32.add
      (f32.add
        (f32.add (local.get $s) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
      (f32.load (i32.add (local.get $v) (i32.shl (local.get $d) (i32.const 2))))))

  ;; t of four rows a, b, c, e: each exactly $dot32's.
  (func $dot32x4 (param $a i32) (param $b i32) (param $c i32) (param $e i32) (param $v i32) (param $d i32) (result f32 f32 f32 f32)
    (local $la v128) (local $lb v128) (local $lc v128) (local $le v128) (local $x v128)
    (local $j i32) (local $end i32) (local $offset i32)
    (local $sa f32) (local $sb f32) (local $sc f32) (local $se f32) (local $y f32) (local $bias f32)
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $x (v128.load (i32.add (local.get $v) (local.get $offset))))
        (local.set $la (f32x4.add (local.get $la) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $x))))
        (local.set $lb (f32x4.add (local.get $lb) (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $offset))) (local.get $x))))
        (local.set $lc (f32x4.add (local.get $lc) (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $offset))) (local.get $x))))
        (local.set $le (f32x4.add (local.get $le) (f32x4.mul (v128.load (i32.add (local.get $e) (local.get $offset))) (local.get $x))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (local.set $sa (f32x4.extract_lane 0 (local.get $la)))
    (local.set $sb (f32x4.extract_lane 0 (local.get $lb)))
    (local.set $sc (f32x4.extract_lane 0 (local.get $lc)))
    (local.set $se (f32x4.extract_lane 0 (local.get $le)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $y (f32.load (i32.add (local.get $v) (local.get $offset))))
        (local.set $sa (f32.add (local.get $sa) (f32.mul (f32.load (i32.add (local.get $a) (local.get $offset))) (local.get $y))))
        (local.set $sb (f32.add (local.get $sb) (f32.mul (f32.load (i32.add (local.get $b) (local.get $offset))) (local.get $y))))
        (local.set $sc (f32.add (local.get $sc) (f32.mul (f32.load (i32.add (local.get $c) (local.get $offset))) (local.get $y))))
        (local.set $se (f32.add (local.get $se) (f32.mul (f32.load (i32.add (local.get $e) (local.get $offset))) (local.get $y))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (local.set $bias (f32.load (i32.add (local.get $v) (i32.shl (local.get $d) (i32.const 2)))))
    (f32.add (f32.add (f32.add (local.get $sa) (f32x4.extract_lane 1 (local.get $la)))
                      (f32.add (f32x4.extract_lane 2 (local.get $la)) (f32x4.extract_lane 3 (local.get $la)))) (local.get $bias))
    (f32.add (f32.add (f32.add (local.get $sb) (f32x4.extract_lane 1 (local.get $lb)))
                      (f32.add (f32x4.extract_lane 2 (local.get $lb)) (f32x4.extract_lane 3 (local.get $lb)))) (local.get $bias))
    (f32.add (f32.add (f32.add (local.get $sc) (f32x4.extract_lane 1 (local.get $lc)))
                      (f32.add (f32x4.extract_lane 2 (local.get $lc)) (f32x4.extract_lane 3 (local.get $lc)))) (local.get $bias))
    (f32.add (f32.add (f32.add (local.get $se) (f32x4.extract_lane 1 (local.get $le)))
                      (f32.add (f32x4.extract_lane 2 (local.get $le)) (f32x4.extract_lane 3 (local.get $le)))) (local.get $bias)))

  ;; out[j] = (((out[j] + a[j] sa) + b[j] sb) + c[j] sc) + e[j] se for j < d (a, b, c, e: float32
  ;; rows; b, c, e may be 0 scales of absent rows), then out[d] the same way with 1s.
  (func $axpy32x4 (param $a i32) (param $b i32) (param $c i32) (param $e i32)
    (param $sa f32) (param $sb f32) (param $sc f32) (param $se f32) (param $out i32) (param $d i32)
    (local $j i32) (local $end i32) (local $at i32) (local $offset i32)
    (local $ka v128) (local $kb v128) (local $kc v128) (local $ke v128)
    (local.set $ka (f32x4.splat (local.get $sa)))
    (local.set $kb (f32x4.splat (local.get $sb)))
    (local.set $kc (f32x4.splat (local.get $sc)))
    (local.set $ke (f32x4.splat (local.get $se)))
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (v128.store (local.get $at)
          (f32x4.add
            (f32x4.add
              (f32x4.add
                (f32x4.add (v128.load (local.get $at)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $ka)))
                (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $offset))) (local.get $kb)))
              (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $offset))) (local.get $kc)))
            (f32x4.mul (v128.load (i32.add (local.get $e) (local.get $offset))) (local.get $ke))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (f32.store (local.get $at)
          (f32.add (f32.add (f32.add (f32.add (f32.load (local.get $at))
            (f32.mul (f32.load (i32.add (local.get $a) (local.get $offset))) (local.get $sa)))
            (f32.mul (f32.load (i32.add (local.get $b) (local.get $offset))) (local.get $sb)))
            (f32.mul (f32.load (i32.add (local.get $c) (local.get $offset))) (local.get $sc)))
            (f32.mul (f32.load (i32.add (local.get $e) (local.get $offset))) (local.get $se))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 2))))
    (f32.store (local.get $at)
      (f32.add (f32.add (f32.add (f32.add (f32.load (local.get $at)) (local.get $sa)) (local.get $sb)) (local.get $sc)) (local.get $se))))

  ;; out[j] += a[j] s for j < d, then out[d] += s (one float32 row).
  (func $axpy32 (param $a i32) (param $s f32) (param $out i32) (param $d i32)
    (local $j i32) (local $end i32) (local $at i32) (local $offset i32) (local $scale v128)
    (local.set $scale (f32x4.splat (local.get $s)))
    (local.set $end (i32.and (local.get $d) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $offset))) (local.get $scale))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $offset (i32.shl (local.get $j) (i32.const 2)))
        (local.set $at (i32.add (local.get $out) (local.get $offset)))
        (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.mul (f32.load (i32.add (local.get $a) (local.get $offset))) (local.get $s))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $d) (i32.const 2))))
    (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (local.get $s))))

  ;; The single-precision Hessian-vector product over the listed rows (see above).
  (func $hessianTimesSingle (export "hessianTimesSingle") (param $data i32) (param $rows i32) (param $count i32) (param $d i32) (param $v i32) (param $w i32) (param $out i32)
    (local $k i32) (local $end i32) (local $a i32) (local $b i32) (local $c i32) (local $e i32)
    (local $ta f32) (local $tb f32) (local $tc f32) (local $te f32)
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $a (call $row32 (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (local.set $b (call $row32 (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 1)) (local.get $d)))
        (local.set $c (call $row32 (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
        (local.set $e (call $row32 (local.get $data) (local.get $rows) (i32.add (local.get $k) (i32.const 3)) (local.get $d)))
        (call $dot32x4 (local.get $a) (local.get $b) (local.get $c) (local.get $e) (local.get $v) (local.get $d))
        (local.set $te) (local.set $tc) (local.set $tb) (local.set $ta)
        (call $axpy32x4 (local.get $a) (local.get $b) (local.get $c) (local.get $e)
          (f32.mul (local.get $ta) (f32.demote_f64 (f64.load (call $at (local.get $w) (local.get $k)))))
          (f32.mul (local.get $tb) (f32.demote_f64 (f64.load offset=8 (call $at (local.get $w) (local.get $k)))))
          (f32.mul (local.get $tc) (f32.demote_f64 (f64.load offset=16 (call $at (local.get $w) (local.get $k)))))
          (f32.mul (local.get $te) (f32.demote_f64 (f64.load offset=24 (call $at (local.get $w) (local.get $k)))))
          (local.get $out) (local.get $d))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $a (call $row32 (local.get $data) (local.get $rows) (local.get $k) (local.get $d)))
        (call $axpy32 (local.get $a)
          (f32.mul (call $dot32 (local.get $a) (local.get $v) (local.get $d)) (f32.demote_f64 (f64.load (call $at (local.get $w) (local.get $k)))))
          (local.get $out) (local.get $d))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

;; Several passes in one sweep over the matrix (RowMatrix.sweep): the rows are taken in windows and
;; every pass does its own listed rows of a window before the sweep moves on, so rows read from
;; memory for one pass are still in cache for the others. `passes` points to `count` descriptors of
;; eight int32: op (0 dots, 1 transposeTimes, 2 hessianTimes, 3 weightedSquares, 4
;; hessianTimesSingle), rows (the list), vec (v of dots and the Hessian products), perRow (the
;; per-row array: dots' output, transposeTimes' r, the Hessian products' and weightedSquares' w),
;; out (the d + 1 output of the others), bounds (windows + 1 int32: the list positions where each
;; window's part starts, then the list's length), single (hessianTimesSingle: where the float32
;; copy of the matrix starts), one unused. A pass over part of its list is the same pass over the whole list split in
;; consecutive pieces: every row's values and every out[j]'s additions come in list order, so each
;; pass gives what it gives alone.
  (func (export "sweep") (param $data i32) (param $d i32) (param $passes i32) (param $count i32) (param $windows i32)
    (local $window i32) (local $q i32) (local $desc i32) (local $bounds i32) (local $from i32) (local $length i32)
    (local $rows i32) (local $perRow i32) (local $op i32)
    (block $windowsDone
      (loop $nextWindow
        (br_if $windowsDone (i32.ge_u (local.get $window) (local.get $windows)))
        (local.set $q (i32.const 0))
        (block $passesDone
          (loop $nextPass
            (br_if $passesDone (i32.ge_u (local.get $q) (local.get $count)))
            (local.set $desc (i32.add (local.get $passes) (i32.shl (local.get $q) (i32.const 5))))
            (local.set $bounds (i32.add (i32.load offset=20 (local.get $desc)) (i32.shl (local.get $window) (i32.const 2))))
            (local.set $from (i32.load (local.get $bounds)))
            (local.set $length (i32.sub (i32.load offset=4 (local.get $bounds)) (local.get $from)))
            (if (i32.gt_s (local.get $length) (i32.const 0))
              (then
                (local.set $op (i32.load (local.get $desc)))
                (local.set $rows (i32.add (i32.load offset=4 (local.get $desc)) (i32.shl (local.get $from) (i32.const 2))))
                (local.set $perRow (i32.add (i32.load offset=12 (local.get $desc)) (i32.shl (local.get $from) (i32.const 3))))
                (if (i32.eqz (local.get $op))
                  (then (call $dots (local.get $data) (local.get $rows) (local.get $length) (local.get $d) (i32.load offset=8 (local.get $desc)) (local.get $perRow))))
                (if (i32.eq (local.get $op) (i32.const 1))
                  (then (call $transposeTimes (local.get $data) (local.get $rows) (local.get $length) (local.get $d) (local.get $perRow) (i32.load offset=16 (local.get $desc)))))
                (if (i32.eq (local.get $op) (i32.const 2))
                  (then (call $hessianTimes (local.get $data) (local.get $rows) (local.get $length) (local.get $d) (i32.load offset=8 (local.get $desc)) (local.get $perRow) (i32.load offset=16 (local.get $desc)))))
                (if (i32.eq (local.get $op) (i32.const 3))
                  (then (call $weightedSquares (local.get $data) (local.get $rows) (local.get $length) (local.get $d) (local.get $perRow) (i32.load offset=16 (local.get $desc)))))
                (if (i32.eq (local.get $op) (i32.const 4))
                  (then (call $hessianTimesSingle (i32.load offset=24 (local.get $desc)) (local.get $rows) (local.get $length) (local.get $d) (i32.load offset=8 (local.get $desc)) (local.get $perRow) (i32.load offset=16 (local.get $desc)))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $nextPass)))
        (local.set $window (i32.add (local.get $window) (i32.const 1)))
        (br $nextWindow))))

;; ---- Covariance of the anisotropy corrections (src/metrics/pca.ts `covariance`) ----
;; cov[i d + j] += a0 x0 + a1 x1 + ... + a7 x7 for 0 <= i <= j < d, with ab = block[b d + i] and
;; xb = block[b d + j] (eight centered rows, row-major), the products summed left to right as the
;; JavaScript loop it replaced summed them; two entries j, j + 1 of row i per step.
  (func (export "covarianceBlock") (param $block i32) (param $d i32) (param $cov i32)
    (local $i i32) (local $j i32) (local $col i32) (local $p i32) (local $at i32) (local $sum v128) (local $s f64)
    (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $r4 i32) (local $r5 i32) (local $r6 i32) (local $r7 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $r1 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 1)))
    (local.set $r2 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 2)))
    (local.set $r3 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 3)))
    (local.set $r4 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 4)))
    (local.set $r5 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 5)))
    (local.set $r6 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 6)))
    (local.set $r7 (i32.mul (i32.shl (local.get $d) (i32.const 3)) (i32.const 7)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $col (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $a0 (f64x2.splat (f64.load (local.get $col))))
        (local.set $a1 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r1)))))
        (local.set $a2 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r2)))))
        (local.set $a3 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r3)))))
        (local.set $a4 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r4)))))
        (local.set $a5 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r5)))))
        (local.set $a6 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r6)))))
        (local.set $a7 (f64x2.splat (f64.load (i32.add (local.get $col) (local.get $r7)))))
        (local.set $j (local.get $i))
        (local.set $p (local.get $col))
        (local.set $at (i32.add (local.get $cov) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $d)) (local.get $i)) (i32.const 3))))
        (block $pairsDone
          (loop $pair
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $d)))
            (local.set $sum (f64x2.mul (local.get $a0) (v128.load (local.get $p))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a1) (v128.load (i32.add (local.get $p) (local.get $r1))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a2) (v128.load (i32.add (local.get $p) (local.get $r2))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a3) (v128.load (i32.add (local.get $p) (local.get $r3))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a4) (v128.load (i32.add (local.get $p) (local.get $r4))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a5) (v128.load (i32.add (local.get $p) (local.get $r5))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a6) (v128.load (i32.add (local.get $p) (local.get $r6))))))
            (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $a7) (v128.load (i32.add (local.get $p) (local.get $r7))))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $sum)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $pair)))
        (if (i32.lt_u (local.get $j) (local.get $d))
          (then
            (local.set $s (f64.mul (f64x2.extract_lane 0 (local.get $a0)) (f64.load (local.get $p))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a1)) (f64.load (i32.add (local.get $p) (local.get $r1))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a2)) (f64.load (i32.add (local.get $p) (local.get $r2))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a3)) (f64.load (i32.add (local.get $p) (local.get $r3))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a4)) (f64.load (i32.add (local.get $p) (local.get $r4))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a5)) (f64.load (i32.add (local.get $p) (local.get $r5))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a6)) (f64.load (i32.add (local.get $p) (local.get $r6))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 0 (local.get $a7)) (f64.load (i32.add (local.get $p) (local.get $r7))))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

;; ---- Stratified bootstrap of ROC-AUC (src/linalg/auc-resamples.ts, for bootstrap.ts and compare.ts) ----
  ;; The draws are mulberry32's (src/random.ts) with nextInt(n) = floor(next() * n): the k-th draw of
  ;; a call (k = 1, 2, ...) mixes state seed + k * 0x6d2b79f5 (mod 2^32), so draws are independent
  ;; of each other and four are mixed side by side in i32x4 lanes, the same integer operations per
  ;; lane. Below n = 2^21 the product t n is below 2^53, so floor(t / 2^32 * n) is the integer
  ;; (t n) >> 32, taken lane by lane from the 64-bit products (no division, no float).
  ;;
  ;; The AUC of a resample is aucFromGroupCounts' U counted per positive instead of per tie group:
  ;; with P[g] the number of drawn negatives in the negatives' tie groups below g, a positive whose
  ;; score lies above the negatives' groups 0 .. lo-1 (and ties group lo when hi = lo + 1) adds
  ;; 2 (negatives below) + (negatives tied) = P[lo] + P[hi] to 2U, once per time it was drawn. Every sum is an integer below
  ;; 2^53 (the caller checks 2 nPos nNeg <= 2^53), summed in int64 and converted once: the same
  ;; bits as the float64 sums of aucFromGroupCounts, divided by the same (2 nPos) nNeg.

  ;; Every draw of one resample into `picks` (int32): `nPos` draws nextInt(nPos), then `nNeg` draws
  ;; nextInt(nNeg), from `state` (the state before the resample); returns the state after it.
  (func $drawResample (param $state i32) (param $nPos i32) (param $nNeg i32) (param $picks i32) (result i32)
    (local $total i32) (local $k i32) (local $t v128) (local $counter v128) (local $index v128) (local $n v128)
    (local $one v128) (local $sixtyOne v128) (local $four v128) (local $step v128) (local $positives v128) (local $negatives v128)
    (local $s i32) (local $u i32)
    (local.set $total (i32.add (local.get $nPos) (local.get $nNeg)))
    (if (i32.lt_u (i32.or (local.get $nPos) (local.get $nNeg)) (i32.const 0x200000))
      (then
        ;; lane j of the block at k holds draw k + j (0-based), mixed from state + (k + j + 1) C
        (local.set $index (v128.const i32x4 0 1 2 3))
        (local.set $counter (i32x4.add (i32x4.splat (local.get $state)) (v128.const i32x4 0x6d2b79f5 0xda56f3ea 0x47826ddf 0xb4ade7d4)))
        (local.set $step (i32x4.splat (i32.const 0xb4ade7d4)))
        (local.set $one (i32x4.splat (i32.const 1)))
        (local.set $sixtyOne (i32x4.splat (i32.const 61)))
        (local.set $four (i32x4.splat (i32.const 4)))
        (local.set $positives (i32x4.splat (local.get $nPos)))
        (local.set $negatives (i32x4.splat (local.get $nNeg)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $k) (local.get $total)))
            (local.set $t (local.get $counter))
            (local.set $t (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 15))) (v128.or (local.get $t) (local.get $one))))
            (local.set $t (v128.xor (local.get $t)
              (i32x4.add (local.get $t) (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7))) (v128.or (local.get $t) (local.get $sixtyOne))))))
            (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
            ;; n per lane: nPos for draws below nPos, nNeg after
            (local.set $n (v128.bitselect (local.get $positives) (local.get $negatives) (i32x4.lt_u (local.get $index) (local.get $positives))))
            (v128.store (i32.add (local.get $picks) (i32.shl (local.get $k) (i32.const 2)))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $n))
                (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $n))))
            (local.set $counter (i32x4.add (local.get $counter) (local.get $step)))
            (local.set $index (i32x4.add (local.get $index) (local.get $four)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $next))))
      (else
        (local.set $s (local.get $state))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $k) (local.get $total)))
            (local.set $s (i32.add (local.get $s) (i32.const 0x6d2b79f5)))
            (local.set $u (local.get $s))
            (local.set $u (i32.mul (i32.xor (local.get $u) (i32.shr_u (local.get $u) (i32.const 15))) (i32.or (local.get $u) (i32.const 1))))
            (local.set $u (i32.xor (local.get $u)
              (i32.add (local.get $u) (i32.mul (i32.xor (local.get $u) (i32.shr_u (local.get $u) (i32.const 7))) (i32.or (local.get $u) (i32.const 61))))))
            (local.set $u (i32.xor (local.get $u) (i32.shr_u (local.get $u) (i32.const 14))))
            (i32.store (i32.add (local.get $picks) (i32.shl (local.get $k) (i32.const 2)))
              (i32.trunc_f64_u (f64.floor (f64.mul
                (f64.div (f64.convert_i32_u (local.get $u)) (f64.const 4294967296))
                (f64.convert_i32_u (select (local.get $nPos) (local.get $nNeg) (i32.lt_u (local.get $k) (local.get $nPos))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $next)))))
    (i32.add (local.get $state) (i32.mul (local.get $total) (i32.const 0x6d2b79f5))))

  ;; How many times each item was drawn in one resample: `picks` (nPos draws among the positives,
  ;; then nNeg among the negatives) counted into `counts` (nPos int32 for the positives, then nNeg
  ;; for the negatives; zero on entry).
  (func $countPicks (param $picks i32) (param $nPos i32) (param $nNeg i32) (param $counts i32)
    (local $at i32) (local $end i32) (local $k i32) (local $base i32)
    (local.set $at (local.get $picks))
    (local.set $end (i32.add (local.get $picks) (i32.shl (i32.add (local.get $nPos) (local.get $nNeg)) (i32.const 2))))
    (local.set $base (local.get $counts))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; the negatives' draws count after the positives' counts
        (if (i32.eq (local.get $at) (i32.add (local.get $picks) (i32.shl (local.get $nPos) (i32.const 2))))
          (then (local.set $base (i32.add (local.get $counts) (i32.shl (local.get $nPos) (i32.const 2))))))
        (local.set $k (i32.add (local.get $base) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
        (i32.store (local.get $k) (i32.add (i32.load (local.get $k)) (i32.const 1)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next))))

  ;; 2U of one ranking on the drawn resample, from how many times each item was drawn (`counts`,
  ;; see $countPicks): `prefix` (groups + 1 int32, zero on entry, zero again on return) sums the
  ;; negatives' counts per tie group of the negatives (`negGroups`, one per negative) into P; each
  ;; positive adds its count times P[lo] + P[hi] (`bounds`: lo, hi per positive). The same integer
  ;; as counting drawn item by drawn item; the items are read in order, not in draw order.
  (func $doubledU (param $counts i32) (param $nPos i32) (param $nNeg i32) (param $negGroups i32) (param $bounds i32) (param $prefix i32) (param $groups i32) (result i64)
    (local $j i32) (local $k i32) (local $at i32) (local $end i32) (local $running i32) (local $sum i64) (local $negCounts i32)
    (local.set $negCounts (i32.add (local.get $counts) (i32.shl (local.get $nPos) (i32.const 2))))
    ;; counts of group g at prefix[g + 1]
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $nNeg)))
        (local.set $k (i32.add (local.get $prefix)
          (i32.shl (i32.load (i32.add (local.get $negGroups) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
        (i32.store offset=4 (local.get $k) (i32.add (i32.load offset=4 (local.get $k))
          (i32.load (i32.add (local.get $negCounts) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    ;; P[g] = drawn negatives in groups below g
    (local.set $at (i32.add (local.get $prefix) (i32.const 4)))
    (local.set $end (i32.add (local.get $prefix) (i32.shl (i32.add (local.get $groups) (i32.const 1)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $running (i32.add (local.get $running) (i32.load (local.get $at))))
        (i32.store (local.get $at) (local.get $running))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $nPos)))
        (local.set $k (i32.add (local.get $bounds) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $sum (i64.add (local.get $sum) (i64.mul
          (i64.extend_i32_u (i32.load (i32.add (local.get $counts) (i32.shl (local.get $j) (i32.const 2)))))
          (i64.extend_i32_u (i32.add
            (i32.load (i32.add (local.get $prefix) (i32.shl (i32.load (local.get $k)) (i32.const 2))))
            (i32.load (i32.add (local.get $prefix) (i32.shl (i32.load offset=4 (local.get $k)) (i32.const 2)))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (memory.fill (local.get $prefix) (i32.const 0) (i32.shl (i32.add (local.get $groups) (i32.const 1)) (i32.const 2)))
    (local.get $sum))

  ;; AUC of each of `count` rankings on every stratified resample, all scored on the same draws (a
  ;; resample is drawn and counted once however many rankings read it): per resample `nPos` draws
  ;; into the positives, then `nNeg` into the negatives (`picks`: scratch, nPos + nNeg + 3 int32),
  ;; counted per item (`counts`: scratch, nPos + nNeg int32, zero on entry and on return).
  ;; `rankings`: `count` descriptors of five int32: negGroups (nNeg int32), bounds (2 nPos int32),
  ;; prefix (groups + 1 int32, zero), groups, out (`resamples` float64, out[b] = AUC of resample b).
  (func (export "aucResamples")
    (param $seed i32) (param $resamples i32) (param $nPos i32) (param $nNeg i32) (param $picks i32) (param $counts i32)
    (param $rankings i32) (param $count i32)
    (local $b i32) (local $r i32) (local $d i32) (local $state i32) (local $pairs f64)
    (local.set $state (local.get $seed))
    (local.set $pairs (f64.mul (f64.mul (f64.const 2) (f64.convert_i32_u (local.get $nPos))) (f64.convert_i32_u (local.get $nNeg))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $b) (local.get $resamples)))
        (local.set $state (call $drawResample (local.get $state) (local.get $nPos) (local.get $nNeg) (local.get $picks)))
        (call $countPicks (local.get $picks) (local.get $nPos) (local.get $nNeg) (local.get $counts))
        (local.set $r (i32.const 0))
        (block $scored
          (loop $ranking
            (br_if $scored (i32.ge_u (local.get $r) (local.get $count)))
            (local.set $d (i32.add (local.get $rankings) (i32.mul (local.get $r) (i32.const 20))))
            (f64.store (i32.add (i32.load offset=16 (local.get $d)) (i32.shl (local.get $b) (i32.const 3)))
              (f64.div (f64.convert_i64_u
                (call $doubledU (local.get $counts) (local.get $nPos) (local.get $nNeg)
                  (i32.load (local.get $d)) (i32.load offset=4 (local.get $d)) (i32.load offset=8 (local.get $d)) (i32.load offset=12 (local.get $d))))
                (local.get $pairs)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $ranking)))
        (memory.fill (local.get $counts) (i32.const 0) (i32.shl (i32.add (local.get $nPos) (local.get $nNeg)) (i32.const 2)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $next))))

;; ---- Gram matrix X X^T of a few rows (src/metrics/pca.ts firstSingularValueShare) ----
  ;; `t` holds X transposed (cols x rows float64, `rows` even: a zero row pads an odd count), so that
  ;; for each column c the entries x[j][c], x[j+1][c] of neighbouring rows sit side by side. Entry
  ;; (i, j) for every j >= i rounded down to even goes to out[i * rows + j]: the sum over c = 0, 1, ...
  ;; of x[i][c] x[j][c], each product rounded and then added, in column order, exactly as the plain
  ;; loop sums it; eight entries (four f64x2 sums) at a time, two when fewer are left.
  (func (export "gramUpper") (param $t i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $i i32) (local $j i32) (local $c i32) (local $stride i32) (local $pi i32) (local $pj i32) (local $at i32)
    (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $stride (i32.shl (local.get $rows) (i32.const 3)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.and (local.get $i) (i32.const -2)))
        (block $blocksDone
          (loop $block
            (br_if $blocksDone (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $rows)))
            (local.set $s0 (f64x2.splat (f64.const 0)))
            (local.set $s1 (f64x2.splat (f64.const 0)))
            (local.set $s2 (f64x2.splat (f64.const 0)))
            (local.set $s3 (f64x2.splat (f64.const 0)))
            (local.set $pi (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $pj (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $c (i32.const 0))
            (block $columnsDone
              (loop $column
                (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
                (local.set $x (f64x2.splat (f64.load (local.get $pi))))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (local.get $pj)))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $pj)))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $pj)))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $pj)))))
                (local.set $pi (i32.add (local.get $pi) (local.get $stride)))
                (local.set $pj (i32.add (local.get $pj) (local.get $stride)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $column)))
            (local.set $at (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $rows)) (local.get $j)) (i32.const 3))))
            (v128.store (local.get $at) (local.get $s0))
            (v128.store offset=16 (local.get $at) (local.get $s1))
            (v128.store offset=32 (local.get $at) (local.get $s2))
            (v128.store offset=48 (local.get $at) (local.get $s3))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $block)))
        (block $pairsDone
          (loop $pair
            (br_if $pairsDone (i32.ge_u (local.get $j) (local.get $rows)))
            (local.set $s0 (f64x2.splat (f64.const 0)))
            (local.set $pi (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $pj (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $c (i32.const 0))
            (block $columnsDone
              (loop $column
                (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (f64x2.splat (f64.load (local.get $pi))) (v128.load (local.get $pj)))))
                (local.set $pi (i32.add (local.get $pi) (local.get $stride)))
                (local.set $pj (i32.add (local.get $pj) (local.get $stride)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $column)))
            (v128.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $rows)) (local.get $j)) (i32.const 3))) (local.get $s0))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pair)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; One row's first step of an anisotropy correction (src/metrics/normalization.ts normalizeInto64):
  ;; out[c] = in[c] - mean[c] of the float32 row `in` (exact in float64; `mode` 0: in[c] alone, the
  ;; row as it is), divided by std[c] where
  ;; `mode` is 2 (zscore) and std[c] > 0 (the JavaScript `scale > 0 ? deviation / scale : deviation`,
  ;; NaN included); elementwise, so two columns at a time change nothing.
  (func $centerRow (param $in i32) (param $d i32) (param $mode i32) (param $mean i32) (param $std i32) (param $out i32)
    (local $c i32) (local $end i32) (local $dev v128) (local $sd v128) (local $x f64) (local $s f64)
    (local.set $end (i32.and (local.get $d) (i32.const -2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $c) (local.get $end)))
        (local.set $dev (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $in) (i32.shl (local.get $c) (i32.const 2))))))
        (if (i32.ne (local.get $mode) (i32.const 0))
          (then (local.set $dev (f64x2.sub (local.get $dev) (v128.load (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 3))))))))
        (if (i32.eq (local.get $mode) (i32.const 2))
          (then
            (local.set $sd (v128.load (i32.add (local.get $std) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $dev (v128.bitselect (f64x2.div (local.get $dev) (local.get $sd)) (local.get $dev)
              (f64x2.gt (local.get $sd) (f64x2.splat (f64.const 0)))))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $dev))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $next)))
    (if (i32.lt_u (local.get $c) (local.get $d))
      (then
        (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $in) (i32.shl (local.get $c) (i32.const 2))))))
        (if (i32.ne (local.get $mode) (i32.const 0))
          (then (local.set $x (f64.sub (local.get $x) (f64.load (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 3))))))))
        (if (i32.eq (local.get $mode) (i32.const 2))
          (then
            (local.set $s (f64.load (i32.add (local.get $std) (i32.shl (local.get $c) (i32.const 3)))))
            (if (f64.gt (local.get $s) (f64.const 0)) (then (local.set $x (f64.div (local.get $x) (local.get $s)))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $x)))))

  ;; row[c] -= dot * comp[c] for every c (elementwise: two columns at a time change nothing).
  (func $subtractMultiple (param $row i32) (param $comp i32) (param $d i32) (param $dot f64)
    (local $c i32) (local $end i32) (local $at i32) (local $k v128)
    (local.set $k (f64x2.splat (local.get $dot)))
    (local.set $end (i32.and (local.get $d) (i32.const -2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $c) (local.get $end)))
        (local.set $at (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store (local.get $at) (f64x2.sub (v128.load (local.get $at))
          (f64x2.mul (local.get $k) (v128.load (i32.add (local.get $comp) (i32.shl (local.get $c) (i32.const 3)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $next)))
    (if (i32.lt_u (local.get $c) (local.get $d))
      (then
        (local.set $at (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 3))))
        (f64.store (local.get $at) (f64.sub (f64.load (local.get $at))
          (f64.mul (local.get $dot) (f64.load (i32.add (local.get $comp) (i32.shl (local.get $c) (i32.const 3))))))))))

  ;; The anisotropy corrections of src/metrics/normalization.ts, bit for bit, of `rows` float32 rows
  ;; of `d` values at `in` (row-major) into float64 rows at `out`: `mode` 0 copies (no correction), 1 centers (minus `mean`), 2
  ;; also divides by `std` (zscore), 3 centers and then removes the `k` components at `comps` (k rows
  ;; of d float64) one after another (abtt). With `out32` non-zero, each corrected row is also
  ;; rounded to float32 there (Math.fround) and the squared norm of those float32 values goes to
  ;; `norms` (float64 per row), summed in column order as the JavaScript loop sums it. The sums that
  ;; run along a row (a component's dot product, the squared norm) keep their order: two rows go
  ;; side by side as the two lanes (an odd last row is paired with itself), so each lane adds its
  ;; own row's terms one after another, as the plain loop does.
  (func (export "correctRows") (param $in i32) (param $rows i32) (param $d i32) (param $mode i32) (param $mean i32) (param $std i32) (param $comps i32) (param $k i32) (param $out i32) (param $out32 i32) (param $norms i32)
    (local $r i32) (local $b i32) (local $pa i32) (local $pb i32) (local $qa i32) (local $qb i32) (local $j i32) (local $c i32) (local $comp i32)
    (local $acc v128) (local $va f32) (local $vb f32) (local $lanes v128)
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $b (select (i32.add (local.get $r) (i32.const 1)) (local.get $r) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))))
        (local.set $pa (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 3))))
        (local.set $pb (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $d)) (i32.const 3))))
        (call $centerRow (i32.add (local.get $in) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 2))) (local.get $d) (local.get $mode) (local.get $mean) (local.get $std) (local.get $pa))
        (call $centerRow (i32.add (local.get $in) (i32.shl (i32.mul (local.get $b) (local.get $d)) (i32.const 2))) (local.get $d) (local.get $mode) (local.get $mean) (local.get $std) (local.get $pb))
        (if (i32.eq (local.get $mode) (i32.const 3))
          (then
            (local.set $j (i32.const 0))
            (block $componentsDone
              (loop $component
                (br_if $componentsDone (i32.ge_u (local.get $j) (local.get $k)))
                (local.set $comp (i32.add (local.get $comps) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
                (local.set $acc (f64x2.splat (f64.const 0)))
                (local.set $c (i32.const 0))
                (block $dotDone
                  (loop $dot
                    (br_if $dotDone (i32.ge_u (local.get $c) (local.get $d)))
                    (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul
                      (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $pa) (i32.shl (local.get $c) (i32.const 3)))))
                        (f64.load (i32.add (local.get $pb) (i32.shl (local.get $c) (i32.const 3)))))
                      (f64x2.splat (f64.load (i32.add (local.get $comp) (i32.shl (local.get $c) (i32.const 3))))))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $dot)))
                (call $subtractMultiple (local.get $pa) (local.get $comp) (local.get $d) (f64x2.extract_lane 0 (local.get $acc)))
                (if (i32.ne (local.get $b) (local.get $r))
                  (then (call $subtractMultiple (local.get $pb) (local.get $comp) (local.get $d) (f64x2.extract_lane 1 (local.get $acc)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $component)))))
        (if (i32.ne (local.get $out32) (i32.const 0))
          (then
            (local.set $qa (i32.add (local.get $out32) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 2))))
            (local.set $qb (i32.add (local.get $out32) (i32.shl (i32.mul (local.get $b) (local.get $d)) (i32.const 2))))
            (local.set $acc (f64x2.splat (f64.const 0)))
            (local.set $c (i32.const 0))
            (block $normDone
              (loop $norm
                (br_if $normDone (i32.ge_u (local.get $c) (local.get $d)))
                (local.set $va (f32.demote_f64 (f64.load (i32.add (local.get $pa) (i32.shl (local.get $c) (i32.const 3))))))
                (local.set $vb (f32.demote_f64 (f64.load (i32.add (local.get $pb) (i32.shl (local.get $c) (i32.const 3))))))
                (f32.store (i32.add (local.get $qa) (i32.shl (local.get $c) (i32.const 2))) (local.get $va))
                (f32.store (i32.add (local.get $qb) (i32.shl (local.get $c) (i32.const 2))) (local.get $vb))
                (local.set $lanes (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (local.get $va))) (f64.promote_f32 (local.get $vb))))
                (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $lanes) (local.get $lanes))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $norm)))
            (f64.store (i32.add (local.get $norms) (i32.shl (local.get $r) (i32.const 3))) (f64x2.extract_lane 0 (local.get $acc)))
            (f64.store (i32.add (local.get $norms) (i32.shl (local.get $b) (i32.const 3))) (f64x2.extract_lane 1 (local.get $acc)))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $row))))

  ;; The two products of src/metrics/pca.ts largestGramEigenvalue (Lanczos on X^T X or X X^T), bit
  ;; for bit the plain loops they replace. `rowDotsT`: out[r] = the sum over c = 0, 1, ... of
  ;; x[r][c] v[c] (each product rounded, then added, in column order), two rows at a time from `t`,
  ;; X transposed (cols x `stride` float64, so x[r][c] and x[r+1][c] sit side by side; `rows` is
  ;; even, a zero row padding an odd count). `accumulateRows`: w[c] = the sum over r = 0, 1, ... of
  ;; x[r][c] s[r] in row order, from `data` (X row-major, rows x cols), two columns at a time.
  (func (export "rowDotsT") (param $t i32) (param $rows i32) (param $cols i32) (param $v i32) (param $out i32)
    (local $r i32) (local $c i32) (local $stride i32) (local $p i32) (local $acc v128)
    (local.set $stride (i32.shl (local.get $rows) (i32.const 3)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (f64x2.splat (f64.const 0)))
        (local.set $p (i32.add (local.get $t) (i32.shl (local.get $r) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (v128.load (local.get $p)) (f64x2.splat (f64.load (i32.add (local.get $v) (i32.shl (local.get $c) (i32.const 3))))))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $column)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $row))))

  (func (export "accumulateRows") (param $data i32) (param $rows i32) (param $cols i32) (param $s i32) (param $w i32)
    (local $r i32) (local $c i32) (local $end i32) (local $row i32) (local $scale f64) (local $k v128) (local $at i32)
    (local.set $end (i32.and (local.get $cols) (i32.const -2)))
    (memory.fill (local.get $w) (i32.const 0) (i32.shl (local.get $cols) (i32.const 3)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $scale (f64.load (i32.add (local.get $s) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $k (f64x2.splat (local.get $scale)))
        (local.set $row (i32.add (local.get $data) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $at (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 3))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at))
              (f64x2.mul (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 3)))) (local.get $k))))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $column)))
        (if (i32.lt_u (local.get $c) (local.get $cols))
          (then
            (local.set $at (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
              (f64.mul (f64.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 3)))) (local.get $scale))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow))))

  ;; Ethayarajh's intra-sentence similarity of each of `count` sentences, as src/metrics/contextuality.ts
  ;; measureSentence computes it, bit for bit: sentence s has the next lengths[s] words of `index`
  ;; (int32: the word's float64 row of `d` values in `rows`, or -1 where the word has no vector).
  ;; Per sentence: each present word's squared norm (summed in column order) and the centre (each
  ;; entry gets the words' values in word order); the usable words (squared norm > 0) divide the
  ;; centre; each usable word's cosine with it (exactly 1 when the word equals the centre, clamped
  ;; to [-1, 1]); their mean, summed in word order. `result[s]` gets it; `status[s]` is 0, or 1
  ;; when there is none (no usable word, or a centre of norm 0), or 2 when a squared norm is not
  ;; finite (the caller measures that sentence again, in JavaScript, which says which value).
  ;; `centre` (d float64) and `norms` (the longest sentence's words, float64) are scratch.
  (func (export "intraSimilarities") (param $rows i32) (param $d i32) (param $index i32) (param $lengths i32) (param $count i32) (param $centre i32) (param $norms i32) (param $result i32) (param $status i32)
    (local $s i32) (local $first i32) (local $length i32) (local $i i32) (local $r i32) (local $p i32) (local $c i32)
    (local $squared f64) (local $v f64) (local $usable i32) (local $centreNorm f64) (local $sum f64) (local $dot f64) (local $same i32) (local $cos f64) (local $state i32) (local $n f64) (local $z f64)
    (block $sentencesDone
      (loop $sentence
        (br_if $sentencesDone (i32.ge_u (local.get $s) (local.get $count)))
        (local.set $length (i32.load (i32.add (local.get $lengths) (i32.shl (local.get $s) (i32.const 2)))))
        (memory.fill (local.get $centre) (i32.const 0) (i32.shl (local.get $d) (i32.const 3)))
        (local.set $usable (i32.const 0))
        (local.set $state (i32.const 0))
        (local.set $i (i32.const 0))
        (block $wordsDone
          (loop $word
            (br_if $wordsDone (i32.ge_u (local.get $i) (local.get $length)))
            (local.set $r (i32.load (i32.add (local.get $index) (i32.shl (i32.add (local.get $first) (local.get $i)) (i32.const 2)))))
            (local.set $squared (f64.const 0))
            (if (i32.ge_s (local.get $r) (i32.const 0))
              (then
                (local.set $p (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 3))))
                (local.set $c (i32.const 0))
                (block $columnsDone
                  (loop $column
                    (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $d)))
                    (local.set $v (f64.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 3)))))
                    (local.set $squared (f64.add (local.get $squared) (f64.mul (local.get $v) (local.get $v))))
                    (f64.store (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3)))
                      (f64.add (f64.load (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3)))) (local.get $v)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $column)))
                ;; Not finite (infinity or NaN): x - x is 0 only for a finite x.
                (if (f64.ne (f64.sub (local.get $squared) (local.get $squared)) (f64.const 0)) (then (local.set $state (i32.const 2))))
                (if (f64.gt (local.get $squared) (f64.const 0)) (then (local.set $usable (i32.add (local.get $usable) (i32.const 1)))))))
            (f64.store (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3))) (local.get $squared))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $word)))
        (if (i32.and (i32.eqz (local.get $state)) (i32.eqz (local.get $usable))) (then (local.set $state (i32.const 1))))
        (if (i32.eqz (local.get $state))
          (then
            (local.set $n (f64.convert_i32_u (local.get $usable)))
            (local.set $centreNorm (f64.const 0))
            (local.set $c (i32.const 0))
            (block $divided
              (loop $divide
                (br_if $divided (i32.ge_u (local.get $c) (local.get $d)))
                (local.set $z (f64.div (f64.load (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3)))) (local.get $n)))
                (f64.store (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3))) (local.get $z))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $divide)))
            (local.set $c (i32.const 0))
            (block $normed
              (loop $norm
                (br_if $normed (i32.ge_u (local.get $c) (local.get $d)))
                (local.set $z (f64.load (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3)))))
                (local.set $centreNorm (f64.add (local.get $centreNorm) (f64.mul (local.get $z) (local.get $z))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $norm)))
            (if (i32.eqz (f64.gt (local.get $centreNorm) (f64.const 0))) (then (local.set $state (i32.const 1))))))
        (if (i32.eqz (local.get $state))
          (then
            (local.set $sum (f64.const 0))
            (local.set $i (i32.const 0))
            (block $cosinesDone
              (loop $cosine
                (br_if $cosinesDone (i32.ge_u (local.get $i) (local.get $length)))
                (local.set $squared (f64.load (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
                (if (f64.gt (local.get $squared) (f64.const 0))
                  (then
                    (local.set $r (i32.load (i32.add (local.get $index) (i32.shl (i32.add (local.get $first) (local.get $i)) (i32.const 2)))))
                    (local.set $p (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 3))))
                    (local.set $same (i32.const 1))
                    (local.set $dot (f64.const 0))
                    (local.set $c (i32.const 0))
                    (block $dotted
                      (loop $dotting
                        (br_if $dotted (i32.ge_u (local.get $c) (local.get $d)))
                        (local.set $v (f64.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 3)))))
                        (local.set $z (f64.load (i32.add (local.get $centre) (i32.shl (local.get $c) (i32.const 3)))))
                        (if (f64.ne (local.get $v) (local.get $z)) (then (local.set $same (i32.const 0))))
                        (local.set $dot (f64.add (local.get $dot) (f64.mul (local.get $v) (local.get $z))))
                        (local.set $c (i32.add (local.get $c) (i32.const 1)))
                        (br $dotting)))
                    (local.set $cos (select (f64.const 1)
                      (f64.max (f64.const -1) (f64.min (f64.const 1) (f64.div (local.get $dot) (f64.sqrt (f64.mul (local.get $squared) (local.get $centreNorm))))))
                      (local.get $same)))
                    (local.set $sum (f64.add (local.get $sum) (local.get $cos)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $cosine)))
            (f64.store (i32.add (local.get $result) (i32.shl (local.get $s) (i32.const 3))) (f64.div (local.get $sum) (f64.convert_i32_u (local.get $usable))))))
        (i32.store (i32.add (local.get $status) (i32.shl (local.get $s) (i32.const 2))) (local.get $state))
        (local.set $first (i32.add (local.get $first) (local.get $length)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $sentence))))
)
