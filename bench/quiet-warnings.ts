/**
 * Keeps the bench output readable: turns off the AWS SDK's notice that its releases after
 * January 2027 need Node 22 (printed once per process that creates an SDK client), through the
 * SDK's own switch. Child processes inherit it. Every other warning is printed as usual.
 * Import it first.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
