"""Cold-init baseline: what any DynamoDB-backed Python Lambda pays at import."""

import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
