UPDATE lookbacks SET lookback_us = ? WHERE conversion_type = ?
