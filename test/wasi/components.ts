/** WASI-importing test components shared by test/wasi and test/isolate. */
import { ALLOC } from '../hostile/support.ts';

/** Exports `env` (wasi:cli/environment.get-environment, passed through) and `bye` (calls wasi:cli/exit). */
export const ENV_COMPONENT = `(component
  (import "wasi:cli/environment@0.2.3" (instance $env
    (export "get-environment" (func (result (list (tuple string string)))))))
  (import "wasi:cli/exit@0.2.3" (instance $exit
    (export "exit" (func (param "status" (result))))))
  (core module $mem ${ALLOC})
  (core instance $mi (instantiate $mem))
  (core func $get-env (canon lower (func $env "get-environment") (memory (core memory $mi "mem")) (realloc (core func $mi "realloc"))))
  (core func $exit (canon lower (func $exit "exit")))
  (core module $m
    (import "h" "get-env" (func $get-env (param i32)))
    (import "h" "exit" (func $exit (param i32)))
    (func (export "env") (result i32) (call $get-env (i32.const 16)) (i32.const 16))
    (func (export "bye") (call $exit (i32.const 0))))
  (core instance $hi (export "get-env" (func $get-env)) (export "exit" (func $exit)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func $env-f (result (list (tuple string string))) (canon lift (core func $i "env") (memory (core memory $mi "mem")) (realloc (core func $mi "realloc"))))
  (func $bye (canon lift (core func $i "bye")))
  (export "env" (func $env-f))
  (export "bye" (func $bye)))`;
