-- POST with no body: wrk -s post.lua URL
wrk.method = "POST"
