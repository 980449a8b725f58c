"""The local server and its DynamoDB emulator: for development and tests, never in the Lambda asset."""
