/** Names of the tests in test/fixtures/lua/suite.lua, run in Node and in Chromium. */
export const LUA_SUITE = [
  'coroutine_wrap', 'coroutine_nested', 'coroutine_wrapper', 'coroutine_errors', 'error_values', 'quit_semantics', 'dispatch_duplicate', 'ltask_extras', 'lua54_const', 'sandbox',
  'call_results', 'send_order', 'remote_error', 'dead_service', 'quit_fails_pending', 'busy',
  'sleep_and_timeout', 'wait_wakeup_interrupt', 'multi_wait', 'fork_order', 'parallel', 'async',
  'no_response', 'names', 'identity', 'dispatch_merge', 'log', 'pack', 'require_once', 'spawn_errors',
];
