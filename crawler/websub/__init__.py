"""WebSub (W3C): subscriptions to the hubs feeds advertise, and the callback routes."""
