-- One dead letter's whole payload (GET /dead-letters/{partition}/{offset}/raw), the newest if the same message was
-- set aside twice.
SELECT raw_message
FROM {db:Identifier}.views_dead_letter AS letter
WHERE letter.topic = {topic:String} AND letter.partition = {partition:UInt64} AND letter.offset = {offset:UInt64}
ORDER BY letter.received_at DESC
LIMIT 1
