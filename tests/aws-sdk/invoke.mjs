// Invokes a function through Shoal's Lambda Invoke API with the unmodified AWS SDK for JavaScript v3.
// Usage: AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… node invoke.mjs ENDPOINT FUNCTION PAYLOAD_JSON [INVOCATION_TYPE];
// prints one JSON line. Shoal verifies the signature against the stack's functions.invoke_credentials.
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";

const [endpoint, functionName, payload, invocationType = "RequestResponse"] = process.argv.slice(2);
const client = new LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});
try {
  const out = await client.send(new InvokeCommand({
    FunctionName: functionName,
    InvocationType: invocationType,
    Payload: new TextEncoder().encode(payload),
  }));
  console.log(JSON.stringify({
    statusCode: out.StatusCode,
    functionError: out.FunctionError ?? null,
    executedVersion: out.ExecutedVersion ?? null,
    payload: out.Payload ? new TextDecoder().decode(out.Payload) : null,
  }));
} catch (err) {
  console.log(JSON.stringify({ error: err.name, message: err.message, status: err.$metadata?.httpStatusCode ?? null }));
}
